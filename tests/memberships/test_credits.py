"""Passes pay for bookings: the best pass, credits back on a timely cancel, kept when late."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.bookings import services as bookings
from app.bookings.errors import NoEntitlement
from app.bookings.models import BookingStatus
from app.core.db import utcnow
from app.extensions import db
from app.memberships import services
from app.memberships.errors import IntroAlreadyUsed, WeeklyLimitReached
from app.memberships.models import PlanKind, ValidityStart
from app.studios.models import WaitlistMode
from tests.factories import ClassFactory, ClassTypeFactory, PlanFactory, StudioFactory, UserFactory


@pytest.fixture
def studio(app):
    return StudioFactory(booking_requires_pass=True)


def left(pass_):
    return services.balances([pass_.id])[pass_.id]


def book(studio, cls, user):
    return bookings.book_class(studio, cls, user, actor=user)


def test_booking_takes_a_credit_and_a_timely_cancel_gives_it_back(studio, ctx):
    user = UserFactory()
    pack = services.grant_pass(studio, PlanFactory(studio=studio, credits=10), user)
    cls = ClassFactory(studio=studio, hours_ahead=48)
    booking = book(studio, cls, user)
    assert left(pack) == 9
    consequence = bookings.cancel_consequence(studio, booking, utcnow())
    assert not consequence.late and "keep your credit" in consequence.message
    bookings.cancel_booking(studio, booking, actor=user)
    assert left(pack) == 10


def test_a_late_cancel_keeps_the_credit_and_says_so_first(studio, ctx):
    user = UserFactory()
    pack = services.grant_pass(studio, PlanFactory(studio=studio, credits=5), user)
    cls = ClassFactory(studio=studio, hours_ahead=2)  # cutoff is 12 h
    booking = book(studio, cls, user)
    consequence = bookings.cancel_consequence(studio, booking, utcnow())
    assert consequence.late and "1 credit is used" in consequence.message
    assert bookings.cancel_booking(studio, booking, actor=user).booking.status == "late_cancelled"
    assert left(pack) == 4


def test_no_pass_no_booking_and_no_waitlist(studio, ctx):
    cls = ClassFactory(studio=studio, capacity=1)
    with pytest.raises(NoEntitlement):
        book(studio, cls, UserFactory())
    holder = UserFactory()
    services.grant_pass(studio, PlanFactory(studio=studio), holder)
    book(studio, cls, holder)
    with pytest.raises(NoEntitlement):
        book(studio, cls, UserFactory())  # full: would be waitlisted, but cannot pay
    db.session.flush()
    assert bookings.spots_taken(cls) == 1


def test_the_pass_expiring_first_pays(studio, ctx):
    user = UserFactory()
    later = services.grant_pass(studio, PlanFactory(studio=studio, validity_days=90), user)
    sooner = services.grant_pass(studio, PlanFactory(studio=studio, validity_days=30), user)
    book(studio, ClassFactory(studio=studio), user)
    assert (left(sooner), left(later)) == (9, 10)


def test_ineligible_and_expired_passes_do_not_pay(studio, ctx):
    user = UserFactory()
    yoga = ClassTypeFactory(studio=studio)
    services.grant_pass(studio, PlanFactory(studio=studio, eligible_class_type_ids=[yoga.id]), user)
    with pytest.raises(NoEntitlement):
        book(studio, ClassFactory(studio=studio), user)  # another class type
    old = services.grant_pass(studio, PlanFactory(studio=studio, validity_days=1), user,
                              now=utcnow() - timedelta(days=3))
    with pytest.raises(NoEntitlement):
        book(studio, ClassFactory(studio=studio, class_type_id=ClassTypeFactory(studio=studio).id),
             user)
    assert left(old) == 10


def test_validity_starting_at_first_booking(studio, ctx):
    user = UserFactory()
    plan = PlanFactory(studio=studio, validity_start=ValidityStart.FIRST_BOOKING, validity_days=30)
    pack = services.grant_pass(studio, plan, user)
    assert pack.starts_at is None and pack.expires_at is None
    book(studio, ClassFactory(studio=studio), user)
    assert pack.expires_at - pack.starts_at == timedelta(days=30)


def test_membership_weekly_cap(studio, ctx):
    user = UserFactory()
    plan = PlanFactory(studio=studio, kind=PlanKind.MEMBERSHIP, credits=None, validity_days=None,
                       classes_per_week=1)
    services.grant_pass(studio, plan, user)
    first = ClassFactory(studio=studio, hours_ahead=24)
    same_week = ClassFactory(studio=studio, starts_at=first.starts_at + timedelta(hours=2),
                             ends_at=first.starts_at + timedelta(hours=3))
    booking = book(studio, first, user)
    with pytest.raises(WeeklyLimitReached):
        book(studio, same_week, user)
    bookings.cancel_booking(studio, booking, actor=user)  # the week's class given back
    assert book(studio, same_week, user).status == BookingStatus.CONFIRMED


@pytest.mark.parametrize("first_weekday, same_week", [(7, True), (1, False)])
def test_the_weekly_cap_counts_from_the_studios_first_day(studio, ctx, first_weekday, same_week):
    """A Sunday and the Monday after are one week where weeks start on Sunday (Saudi Arabia),
    two where they start on Monday."""
    studio.first_weekday = first_weekday
    studio.booking_opens_days = 21  # the Monday is up to 15 days ahead: inside the window
    tz = ZoneInfo(studio.timezone)
    today = utcnow().astimezone(tz).date()
    sunday = today + timedelta(days=(6 - today.weekday()) % 7 + 7)  # a Sunday 1-2 weeks ahead
    at = [datetime.combine(day, time(10), tz).astimezone(UTC)
          for day in (sunday, sunday + timedelta(days=1))]
    user = UserFactory()
    plan = PlanFactory(studio=studio, kind=PlanKind.MEMBERSHIP, credits=None, validity_days=None,
                       classes_per_week=1)
    services.grant_pass(studio, plan, user)
    on_sunday, on_monday = (ClassFactory(studio=studio, starts_at=a, ends_at=a + timedelta(hours=1))
                            for a in at)
    book(studio, on_sunday, user)
    if same_week:
        with pytest.raises(WeeklyLimitReached):
            book(studio, on_monday, user)
    else:
        assert book(studio, on_monday, user).status == BookingStatus.CONFIRMED


def test_intro_offer_once_per_customer(studio, ctx):
    user = UserFactory()
    intro = PlanFactory(studio=studio, kind=PlanKind.INTRO, credits=2)
    services.check_can_buy(studio, intro, user)
    services.grant_pass(studio, intro, user)
    with pytest.raises(IntroAlreadyUsed):
        services.check_can_buy(studio, intro, user)


def test_waitlist_promotion_takes_the_credit_when_the_spot_is_confirmed(studio, ctx):
    studio.waitlist_mode = WaitlistMode.AUTO
    cls = ClassFactory(studio=studio, capacity=1)
    a, b = UserFactory(), UserFactory()
    pa = services.grant_pass(studio, PlanFactory(studio=studio), a)
    pb = services.grant_pass(studio, PlanFactory(studio=studio), b)
    first = book(studio, cls, a)
    waiting = book(studio, cls, b)
    assert left(pb) == 10  # waiting costs nothing
    bookings.cancel_booking(studio, first, actor=a)
    assert waiting.status == BookingStatus.CONFIRMED
    assert (left(pa), left(pb)) == (10, 9)


def test_auto_promotion_without_credit_becomes_an_offer(studio, ctx):
    studio.waitlist_mode = WaitlistMode.AUTO
    cls = ClassFactory(studio=studio, capacity=1)
    a, b = UserFactory(), UserFactory()
    services.grant_pass(studio, PlanFactory(studio=studio), a)
    pb = services.grant_pass(studio, PlanFactory(studio=studio, credits=1), b)
    first = book(studio, cls, a)
    waiting = book(studio, cls, b)
    book(studio, ClassFactory(studio=studio), b)  # b spends the last credit elsewhere
    assert left(pb) == 0
    bookings.cancel_booking(studio, first, actor=a)
    assert waiting.status == BookingStatus.OFFERED


def test_revoked_pass_gives_nothing_back(studio, ctx):
    user = UserFactory()
    pack = services.grant_pass(studio, PlanFactory(studio=studio, credits=3), user)
    booking = book(studio, ClassFactory(studio=studio), user)
    assert services.revoke_unused(pack, actor=user) == 2
    bookings.cancel_booking(studio, booking, actor=user)
    assert left(pack) == 0
