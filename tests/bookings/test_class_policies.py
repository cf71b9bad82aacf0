"""Policies per class type on top of the studio's defaults: each rule with a class type's
override and without (the studio's), as a customer would notice them."""

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.billing.models import Order, OrderStatus
from app.bookings import attendance, entitlements
from app.bookings import services as bookings
from app.bookings.errors import BookingCapReached, BookingClosed, BookingNotOpen
from app.bookings.models import BookingStatus
from app.bookings.services.desk import book_for
from app.core.db import utcnow
from app.extensions import db
from app.memberships.services import grant_pass
from app.studios.models import WaitlistMode
from tests.factories import ClassFactory, ClassTypeFactory, PlanFactory, StudioFactory, UserFactory


@pytest.fixture
def studio(app):
    """Passes required; a late cancel costs the credit and CA$15; 2 h cutoff."""
    studio = StudioFactory(booking_requires_pass=True, late_cancel_fee_minor=1500,
                           no_show_fee_minor=2000, cancel_cutoff_minutes=2 * 60)
    studio.default_location.tax_jurisdiction = "CA-ON"
    return studio


def member(studio, credits=10):
    user = UserFactory()
    grant_pass(studio, PlanFactory(studio=studio, credits=credits), user)
    return user


def cls_of(studio, hours_ahead=24, capacity=5, **policies):
    """A class of a class type with `policies` (none: the studio's)."""
    ct = ClassTypeFactory(studio=studio, **policies)
    return ClassFactory(studio=studio, class_type_id=ct.id, hours_ahead=hours_ahead,
                        capacity=capacity)


def book(studio, cls, user, **kw):
    return bookings.book_class(studio, cls, user, actor=user, **kw)


def fee_of(booking):
    return db.session.scalar(select(Order).where(Order.fee_booking_id == booking.id))


def cancel(studio, booking, **kw):
    return bookings.cancel_booking(studio, booking, actor=booking.customer, **kw).released


# --- cancel cutoff and fees -------------------------------------------------------------------


def test_a_class_type_with_a_24h_cutoff_makes_a_cancel_10h_ahead_late(studio, ctx):
    strict, plain = cls_of(studio, 10, cancel_cutoff_minutes=24 * 60), cls_of(studio, 10)
    user = member(studio)
    on_strict, on_plain = book(studio, strict, user), book(studio, plain, user)

    told = bookings.cancel_consequence(studio, on_strict, utcnow())
    assert told.late and "CA$15.00" in told.message
    assert not bookings.cancel_consequence(studio, on_plain, utcnow()).late
    assert cancel(studio, on_strict).late and on_strict.status == BookingStatus.LATE_CANCELLED
    assert not cancel(studio, on_plain).late and on_plain.status == BookingStatus.CANCELLED


def test_a_class_type_charges_its_own_fees(studio, ctx):
    own = cls_of(studio, 1, late_cancel_fee_minor=3000, no_show_fee_minor=500)
    plain = cls_of(studio, 1)
    user = member(studio)
    cancel(studio, book(studio, own, user))
    cancel(studio, book(studio, plain, user))
    fees = db.session.scalars(select(Order.unit_minor).where(
        Order.customer_id == user.id, Order.fee_booking_id.is_not(None))
        .order_by(Order.id)).all()
    assert fees == [3000, 1500]

    other = member(studio)
    no_show = book(studio, own, other)
    attendance.mark_no_show(studio, no_show, actor=other, now=own.starts_at + timedelta(minutes=5))
    assert fee_of(no_show).unit_minor == 500


def test_a_class_type_may_charge_no_fee_where_the_studio_does(studio, ctx):
    free = cls_of(studio, 1, late_cancel_fee_minor=0)
    user = member(studio)
    booking = book(studio, free, user)
    assert "CA$" not in bookings.cancel_consequence(studio, booking, utcnow()).message
    assert cancel(studio, booking).fee_minor == 0 and fee_of(booking) is None


# --- booking window ---------------------------------------------------------------------------


def test_a_class_type_opens_booking_later_than_the_studio(studio, ctx):
    studio.booking_opens_days = 14
    soon = cls_of(studio, 5 * 24, booking_opens_days=2)
    plain = cls_of(studio, 5 * 24)
    user = member(studio)
    with pytest.raises(BookingNotOpen):
        book(studio, soon, user)
    assert book(studio, plain, user).status == BookingStatus.CONFIRMED


def test_a_class_type_closes_booking_earlier_than_the_studio(studio, ctx):
    closing = cls_of(studio, 2, booking_closes_minutes=3 * 60)
    with pytest.raises(BookingClosed):
        book(studio, closing, member(studio))
    assert book(studio, cls_of(studio, 2), member(studio)).status == BookingStatus.CONFIRMED


# --- forgiveness ------------------------------------------------------------------------------


def test_with_two_forgiven_the_first_two_late_cancels_are_free_the_third_charged(studio, ctx):
    user = member(studio)
    classes = [cls_of(studio, 1, free_late_cancels=2) for _ in range(3)]
    outcomes = []
    for cls in classes:
        booking = book(studio, cls, user)
        told = bookings.cancel_consequence(studio, booking, utcnow())
        released = cancel(studio, booking)
        outcomes.append((told.forgiven, released.credit_back, released.fee_minor,
                         booking.late_waiver, booking.status))
    assert outcomes == [
        (True, True, 0, "forgiven", BookingStatus.LATE_CANCELLED),
        (True, True, 0, "forgiven", BookingStatus.LATE_CANCELLED),
        (False, False, 1500, None, BookingStatus.LATE_CANCELLED),  # CA$15, tax included
    ]


def test_without_forgiveness_the_first_late_cancel_is_charged(studio, ctx):
    booking = book(studio, cls_of(studio, 1), member(studio))
    told = bookings.cancel_consequence(studio, booking, utcnow())
    assert not told.forgiven and "1 credit is used" in told.message
    assert cancel(studio, booking).fee_minor > 0


def test_the_studio_default_forgives_and_the_confirmation_says_so(studio, ctx):
    studio.free_late_cancels = 1
    booking = book(studio, cls_of(studio, 1), member(studio))
    told = bookings.cancel_consequence(studio, booking, utcnow())
    assert told.forgiven and "forgiven" in told.message
    released = cancel(studio, booking)
    assert released.message() == "Late cancel, forgiven — your credit is back, no fee."


def test_late_cancels_older_than_30_days_are_not_counted(studio, ctx):
    user = member(studio)
    first = book(studio, cls_of(studio, 1, free_late_cancels=1), user)
    cancel(studio, first)
    first.cancelled_at = utcnow() - timedelta(days=31)
    again = book(studio, cls_of(studio, 1, free_late_cancels=1), user)
    assert cancel(studio, again).waiver == "forgiven"


# --- auto-waive -------------------------------------------------------------------------------


def test_auto_waive_a_late_cancel_whose_spot_the_waitlist_fills_at_once(studio, ctx):
    studio.waitlist_mode = WaitlistMode.AUTO
    cls = cls_of(studio, 1, capacity=1, auto_waive_late_cancel=True)
    leaving, waiting = member(studio), member(studio)
    booking, queued = book(studio, cls, leaving), book(studio, cls, waiting)
    told = bookings.cancel_consequence(studio, booking, utcnow()).message
    assert "If someone from the waitlist takes your spot, the late cancel is waived." in told

    released = cancel(studio, booking)
    assert queued.status == BookingStatus.CONFIRMED
    assert (released.waiver, released.credit_back, released.fee_minor) == ("refilled", True, 0)
    assert fee_of(booking) is None and booking.late_waiver == "refilled"
    assert "someone from the waitlist took your spot" in released.message()


def test_without_auto_waive_a_refilled_late_cancel_is_charged(studio, ctx):
    cls = cls_of(studio, 1, capacity=1)
    leaving, waiting = member(studio), member(studio)
    booking, queued = book(studio, cls, leaving), book(studio, cls, waiting)
    released = cancel(studio, booking)
    assert queued.status == BookingStatus.CONFIRMED
    assert released.waiver is None and released.credit_used and released.fee_minor > 0


def test_auto_waive_when_an_offered_spot_is_claimed_later(studio, ctx):
    cls = cls_of(studio, 3, capacity=1, auto_waive_late_cancel=True,
                 waitlist_mode=WaitlistMode.CLAIM, cancel_cutoff_minutes=4 * 60)
    leaving, waiting = member(studio), member(studio)
    booking, queued = book(studio, cls, leaving), book(studio, cls, waiting)
    released = cancel(studio, booking)
    assert queued.status == BookingStatus.OFFERED
    assert released.fee_minor > 0 and fee_of(booking).status == OrderStatus.AWAITING_PAYMENT

    bookings.claim_offer(studio, queued, actor=waiting)
    assert queued.status == BookingStatus.CONFIRMED
    assert fee_of(booking).status == OrderStatus.CANCELLED
    assert booking.late_waiver == "refilled"
    kept = entitlements.provider().credits_kept([booking.id])
    assert kept == {booking.id: False}  # the credit went back


def test_an_unclaimed_offer_waives_nothing(studio, ctx):
    cls = cls_of(studio, 3, capacity=1, auto_waive_late_cancel=True,
                 waitlist_mode=WaitlistMode.CLAIM, cancel_cutoff_minutes=4 * 60)
    leaving, waiting = member(studio), member(studio)
    booking, queued = book(studio, cls, leaving), book(studio, cls, waiting)
    cancel(studio, booking)
    bookings.expire_offer(studio, queued, now=queued.offer_expires_at + timedelta(seconds=1))
    assert fee_of(booking).status == OrderStatus.AWAITING_PAYMENT and booking.late_waiver is None


# --- waitlist mode, hold and cutoff -----------------------------------------------------------


def test_a_class_type_offers_spots_where_the_studio_books_at_once(studio, ctx):
    studio.waitlist_mode = WaitlistMode.AUTO
    for mode, expected in ((WaitlistMode.CLAIM, BookingStatus.OFFERED),
                           (None, BookingStatus.CONFIRMED)):
        cls = cls_of(studio, 48, capacity=1, waitlist_mode=mode)
        first, queued = book(studio, cls, member(studio)), book(studio, cls, member(studio))
        cancel(studio, first)
        assert queued.status == expected


def test_a_class_type_holds_offers_for_its_own_time(studio, ctx):
    studio.waitlist_mode, studio.offer_hold_minutes = WaitlistMode.CLAIM, 60
    cls = cls_of(studio, 48, capacity=1, offer_hold_minutes=15)
    first, queued = book(studio, cls, member(studio)), book(studio, cls, member(studio))
    now = utcnow()
    bookings.cancel_booking(studio, first, actor=first.customer, now=now)
    assert queued.offer_expires_at == now + timedelta(minutes=15)


def test_an_offer_hold_never_runs_past_the_start(studio, ctx):
    studio.waitlist_mode, studio.offer_hold_minutes = WaitlistMode.CLAIM, 60
    studio.cancel_cutoff_minutes = 0
    cls = cls_of(studio, 0, capacity=1)
    cls.starts_at = utcnow() + timedelta(minutes=20)
    cls.ends_at = cls.starts_at + timedelta(hours=1)
    first, queued = book(studio, cls, member(studio)), book(studio, cls, member(studio))
    cancel(studio, first)
    assert queued.status == BookingStatus.OFFERED and queued.offer_expires_at == cls.starts_at


@pytest.mark.parametrize("cutoff, expected", [(60, BookingStatus.WAITLISTED),
                                              (None, BookingStatus.CONFIRMED)])
def test_a_spot_freed_30_min_before_start_within_a_60_min_cutoff_stays_free(
        studio, ctx, cutoff, expected):
    studio.waitlist_mode, studio.cancel_cutoff_minutes = WaitlistMode.AUTO, 0
    cls = cls_of(studio, 0, capacity=1, waitlist_cutoff_minutes=cutoff)
    cls.starts_at = utcnow() + timedelta(minutes=30)
    cls.ends_at = cls.starts_at + timedelta(hours=1)
    first, queued = book(studio, cls, member(studio)), book(studio, cls, member(studio))
    cancel(studio, first)
    assert queued.status == expected and queued.offer_expires_at is None
    if cutoff:  # nobody promoted, nobody offered: the spot is free to book
        assert bookings.spots_taken(cls) == 0


def test_the_studio_waitlist_cutoff_applies_to_offers_too(studio, ctx):
    studio.waitlist_mode, studio.cancel_cutoff_minutes = WaitlistMode.CLAIM, 0
    studio.waitlist_cutoff_minutes = 60
    cls = cls_of(studio, 0, capacity=1)
    cls.starts_at = utcnow() + timedelta(minutes=30)
    cls.ends_at = cls.starts_at + timedelta(hours=1)
    first, queued = book(studio, cls, member(studio)), book(studio, cls, member(studio))
    cancel(studio, first)
    assert queued.status == BookingStatus.WAITLISTED


# --- cap on upcoming bookings -----------------------------------------------------------------


def test_the_booking_past_the_studio_cap_is_refused_with_a_translated_message(studio, ctx):
    studio.max_upcoming_bookings = 2
    user = member(studio)
    book(studio, cls_of(studio, 24), user)
    book(studio, cls_of(studio, 48), user)
    third = cls_of(studio, 72)
    with pytest.raises(BookingCapReached) as refused:
        book(studio, third, user)
    assert "(2)" in str(refused.value)
    with force_locale("ar"):
        assert "(2)" in str(refused.value) and "حجوزات" in str(refused.value)
    book_for(studio, third, user, actor=UserFactory())  # the desk may book past the cap


def test_a_class_type_lowers_the_cap_and_the_past_and_cancelled_do_not_count(studio, ctx):
    user = member(studio)
    past = book(studio, cls_of(studio, 1), user)
    past.scheduled_class.starts_at = utcnow() - timedelta(hours=2)  # over: not upcoming
    cancelled = book(studio, cls_of(studio, 24), user)
    cancel(studio, cancelled)
    book(studio, cls_of(studio, 24), user)
    capped = cls_of(studio, 48, max_upcoming_bookings=1)
    with pytest.raises(BookingCapReached):
        book(studio, capped, user)
    assert book(studio, cls_of(studio, 48), user).status == BookingStatus.CONFIRMED  # no cap


def test_a_second_tap_past_the_cap_answers_with_the_booking(studio, ctx):
    studio.max_upcoming_bookings = 1
    user, cls = member(studio), cls_of(studio, 24)
    first = book(studio, cls, user)
    assert book(studio, cls, user).id == first.id
