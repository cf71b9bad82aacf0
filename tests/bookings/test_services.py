"""Booking rules: window, cutoff, idempotent submits, waitlist promotion and offers."""

from datetime import timedelta

import pytest

from app.bookings import services
from app.bookings.errors import (
    BookingClosed,
    BookingNotOpen,
    ClassCancelled,
    ClassStarted,
    NotCancellable,
    OfferExpired,
)
from app.bookings.models import BookingStatus, CancelReason
from app.bookings.services import cancel_class
from app.core.db import utcnow
from app.extensions import db
from app.studios.models import StudioCustomer, WaitlistMode
from tests.factories import ClassFactory, StudioFactory, UserFactory


@pytest.fixture
def studio(app):
    return StudioFactory()


def book(studio, cls, user, **kw):
    return services.book_class(studio, cls, user, actor=user, **kw)


def test_books_until_full_then_waitlists_in_order(studio, ctx):
    cls = ClassFactory(studio=studio, capacity=2)
    people = UserFactory.create_batch(4)
    bookings = [book(studio, cls, p) for p in people]
    assert [b.status for b in bookings] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [services.waitlist_position(b) for b in bookings] == [None, None, 1, 2]
    assert db.session.query(StudioCustomer).filter_by(studio_id=studio.id).count() == 4


def test_same_submit_twice_makes_one_booking(studio, ctx):
    cls = ClassFactory(studio=studio)
    user = UserFactory()
    first = book(studio, cls, user)
    second = book(studio, cls, user)
    assert first.id == second.id
    assert services.spots_taken(cls) == 1


def test_a_second_submit_after_booking_closed_still_answers_with_the_booking(studio, ctx):
    """A replayed tap (offline, a retry) can arrive after the window closed: the customer is
    in, and hears so, not "booking closed"; someone not in hears "booking closed"."""
    cls = ClassFactory(studio=studio, hours_ahead=5)
    user = UserFactory()
    first = book(studio, cls, user)
    late = cls.starts_at - timedelta(minutes=1)
    studio.booking_closes_minutes = 30
    assert book(studio, cls, user, now=late).id == first.id
    with pytest.raises(BookingClosed):
        book(studio, cls, UserFactory(), now=late)


def test_rebooking_after_cancel_makes_a_new_booking(studio, ctx):
    cls = ClassFactory(studio=studio)
    user = UserFactory()
    services.cancel_booking(studio, book(studio, cls, user), actor=user)
    again = book(studio, cls, user)
    assert again.status == BookingStatus.CONFIRMED


def test_booking_window(studio, ctx):
    studio.booking_opens_days = 7
    studio.booking_closes_minutes = 30
    far = ClassFactory(studio=studio, hours_ahead=24 * 10)
    soon = ClassFactory(studio=studio, hours_ahead=0.25)
    user = UserFactory()
    with pytest.raises(BookingNotOpen):
        book(studio, far, user)
    with pytest.raises(BookingClosed):
        book(studio, soon, user)
    # The window opens exactly N days before the start.
    assert book(studio, far, user, now=far.starts_at - timedelta(days=7)).status == "confirmed"


def test_started_and_cancelled_classes_cannot_be_booked(studio, ctx):
    user = UserFactory()
    started = ClassFactory(studio=studio, hours_ahead=-0.5)
    with pytest.raises(ClassStarted):
        book(studio, started, user)
    cls = ClassFactory(studio=studio)
    cancel_class(studio, cls, actor=user)
    with pytest.raises(ClassCancelled):
        book(studio, cls, user)


def test_cancel_before_cutoff_is_free_after_is_late(studio, ctx):
    studio.cancel_cutoff_minutes = 120
    early = ClassFactory(studio=studio, hours_ahead=5)
    late = ClassFactory(studio=studio, hours_ahead=1)
    user = UserFactory()
    b1, b2 = book(studio, early, user), book(studio, late, user)
    assert not services.cancel_consequence(studio, b1, utcnow()).late
    consequence = services.cancel_consequence(studio, b2, utcnow())
    assert consequence.late and "late" in consequence.message
    assert services.cancel_booking(studio, b1, actor=user).booking.status == BookingStatus.CANCELLED
    late = services.cancel_booking(studio, b2, actor=user)
    assert late.booking.status == BookingStatus.LATE_CANCELLED


def test_leaving_the_waitlist_is_never_late(studio, ctx):
    studio.cancel_cutoff_minutes = 600
    cls = ClassFactory(studio=studio, capacity=1, hours_ahead=1)
    book(studio, cls, UserFactory())
    waiting_user = UserFactory()
    waiting = book(studio, cls, waiting_user)
    assert not services.cancel_consequence(studio, waiting, utcnow()).late
    left = services.cancel_booking(studio, waiting, actor=waiting_user)
    assert left.booking.status == "cancelled"


def test_cancelled_booking_cannot_be_cancelled_again(studio, ctx):
    cls = ClassFactory(studio=studio)
    user = UserFactory()
    b = services.cancel_booking(studio, book(studio, cls, user), actor=user).booking
    with pytest.raises(NotCancellable):
        services.cancel_booking(studio, b, actor=user)


def test_auto_mode_promotes_first_in_line_and_emails_them(studio, ctx, jobs):
    studio.waitlist_mode = WaitlistMode.AUTO
    cls = ClassFactory(studio=studio, capacity=1)
    first, second, third = UserFactory.create_batch(3)
    b1, b2, b3 = book(studio, cls, first), book(studio, cls, second), book(studio, cls, third)
    services.cancel_booking(studio, b1, actor=first)
    db.session.commit()
    assert (b2.status, b3.status) == ("confirmed", "waitlisted")
    assert services.waitlist_position(b3) == 1
    assert ("workers.jobs.notifications.send_promoted", (b2.id,), "notifications", None) in jobs


def test_claim_mode_offers_with_hold_and_schedules_expiry(studio, ctx, jobs):
    studio.waitlist_mode = WaitlistMode.CLAIM
    studio.offer_hold_minutes = 30
    cls = ClassFactory(studio=studio, capacity=1)
    first, second = UserFactory.create_batch(2)
    b1, b2 = book(studio, cls, first), book(studio, cls, second)
    now = utcnow()
    services.cancel_booking(studio, b1, actor=first, now=now)
    db.session.commit()
    assert b2.status == BookingStatus.OFFERED
    assert b2.offer_expires_at == now + timedelta(minutes=30)
    # An offer holds the spot: a newcomer goes on the waitlist.
    assert book(studio, cls, UserFactory()).status == BookingStatus.WAITLISTED
    names = [j[0] for j in jobs]
    assert "workers.jobs.notifications.send_offer" in names
    expiry = [j for j in jobs if j[0] == "workers.jobs.bookings.expire_offer"]
    assert expiry and expiry[0][3] == b2.offer_expires_at
    assert services.claim_offer(studio, b2, actor=second).status == BookingStatus.CONFIRMED


def test_expired_offer_passes_to_the_next_person(studio, ctx):
    studio.waitlist_mode = WaitlistMode.CLAIM
    cls = ClassFactory(studio=studio, capacity=1)
    a, b, c = UserFactory.create_batch(3)
    ba, bb, bc = book(studio, cls, a), book(studio, cls, b), book(studio, cls, c)
    services.cancel_booking(studio, ba, actor=a)
    later = bb.offer_expires_at + timedelta(seconds=1)
    assert not services.expire_offer(studio, bb, now=bb.offer_expires_at - timedelta(seconds=1))
    assert services.expire_offer(studio, bb, now=later)
    assert (bb.status, bb.cancel_reason) == ("cancelled", CancelReason.OFFER_EXPIRED)
    assert bc.status == BookingStatus.OFFERED
    with pytest.raises(OfferExpired):
        services.claim_offer(studio, bb, actor=b, now=later)


def test_cancelling_a_class_cancels_every_booking_and_tells_each(studio, ctx, jobs):
    cls = ClassFactory(studio=studio, capacity=1)
    staff_user = UserFactory()
    b1, b2 = book(studio, cls, UserFactory()), book(studio, cls, UserFactory())
    cancel_class(studio, cls, actor=staff_user)
    db.session.commit()
    assert cls.is_cancelled
    assert {b1.status, b2.status} == {"cancelled"}
    sent = sorted(j[1][0] for j in jobs if j[0].endswith("send_class_cancelled"))
    assert sent == sorted([b1.id, b2.id])


def test_jobs_are_dropped_when_the_transaction_rolls_back(studio, ctx, jobs):
    cls = ClassFactory(studio=studio, capacity=1)
    first, second = UserFactory.create_batch(2)
    b1 = book(studio, cls, first)
    book(studio, cls, second)
    db.session.commit()
    jobs.clear()  # the bookings' confirmations
    services.cancel_booking(studio, b1, actor=first)
    db.session.rollback()
    assert jobs == []
    assert db.session.get(type(b1), b1.id).status == BookingStatus.CONFIRMED
