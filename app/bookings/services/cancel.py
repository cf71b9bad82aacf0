"""Cancelling: a customer's booking (a freed spot goes to the waitlist), or a whole class."""

from dataclasses import dataclass, replace

from sqlalchemy import select

from app.bookings import entitlements
from app.bookings.errors import NotCancellable
from app.bookings.models import HOLDS_SPOT, Booking, BookingStatus, CancelReason, LateWaiver
from app.bookings.services.locks import lock_class
from app.bookings.services.rules import (
    auto_waives,
    forgives,
    is_forgiven,
    is_late_cancel,
    lock_customer,
)
from app.bookings.services.waitlist import fill_spots
from app.core.db import utcnow
from app.core.jobs import enqueue_after_commit
from app.extensions import db
from app.schedule.errors import AlreadyCancelled, ClassInPast
from app.schedule.models import ClassStatus, ScheduledClass
from app.studios.models import Studio

CANCELLABLE = (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED, BookingStatus.OFFERED)


@dataclass(frozen=True)
class Cancellation:
    """A cancelled booking and what cancelling it did (credit back or used, fee owed)."""

    booking: Booking
    released: entitlements.Released


def cancel_booking(studio: Studio, booking: Booking, *, actor, now=None,
                   reason: CancelReason = CancelReason.CUSTOMER,
                   waive_late: bool = False, notify: bool = True) -> Cancellation:
    """Cancel a spot, an offer or a waitlist place; a freed spot goes to the waitlist.
    Returns the booking with what the cancel cost the customer. `waive_late` (staff only):
    a cancel after the cutoff costs what one in time does (the credit back, no fee).
    `notify` False: the customer was never told of the booking (a hold let go), so not now."""
    now = now or utcnow()
    cls = booking.scheduled_class
    provider = entitlements.provider()
    if booking.status == BookingStatus.CONFIRMED and forgives(studio, cls):
        # Two late cancels at once must not both be the last one forgiven (lock order: 1).
        lock_customer(studio, booking.customer_id)
    provider.lock_paid([booking.id])  # the pass it may give a credit back to, before the class
    taken = lock_class(cls)
    db.session.refresh(booking)
    if booking.status not in CANCELLABLE:
        raise NotCancellable()
    if booking.status == BookingStatus.CONFIRMED and cls.has_started(now):
        raise NotCancellable()
    freed = booking.status in HOLDS_SPOT
    confirmed = booking.status == BookingStatus.CONFIRMED
    late = confirmed and not waive_late and is_late_cancel(studio, cls, now)
    waiver = (LateWaiver.FORGIVEN if late and is_forgiven(studio, cls, booking.customer_id, now)
              else None)
    booking.status = BookingStatus.LATE_CANCELLED if late else BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancel_reason = reason
    db.session.flush()
    # The waitlist first: a late cancel whose spot it fills at once may cost nothing.
    filled = fill_spots(studio, cls, now=now, taken=taken - 1) if freed else []
    if (late and waiver is None and auto_waives(studio, cls)
            and any(b.status == BookingStatus.CONFIRMED for b in filled)):
        waiver = LateWaiver.REFILLED
    released = entitlements.Released()
    if confirmed:
        released = provider.release(booking, late=late and waiver is None)
    if waiver is not None:
        booking.late_waived_at, booking.late_waiver = now, waiver
        released = replace(released, late=True, waiver=str(waiver))
    db.session.flush()
    # The e-mail says what the cancel cost, rendered in the customer's language by the job
    # (a waived late cancel cost what one in time does).
    if notify:
        enqueue_after_commit("workers.jobs.notifications.send_booking_cancelled", booking.id,
                             released.late and waiver is None, released.credit_back,
                             released.credit_used, released.fee_minor, released.currency,
                             queue="notifications")
    return Cancellation(booking, released)


def _confirmed(cls: ScheduledClass) -> list[int]:
    return list(db.session.scalars(select(Booking.id).where(
        Booking.class_id == cls.id, Booking.status == BookingStatus.CONFIRMED)))


def cancel_class(studio: Studio, cls: ScheduledClass, *, actor, now=None) -> ScheduledClass:
    """Cancel one class: every booking is cancelled (nothing lost) and each customer is told."""
    now = now or utcnow()
    provider = entitlements.provider()
    paid = _confirmed(cls)
    provider.lock_paid(paid)  # the passes its credits go back to, before the class
    lock_class(cls)
    if cls.is_cancelled:
        raise AlreadyCancelled()
    if cls.has_started(now):
        raise ClassInPast()
    cls.status = ClassStatus.CANCELLED
    cls.cancelled_at = now
    bookings = db.session.scalars(
        select(Booking).where(Booking.class_id == cls.id, Booking.status.in_(CANCELLABLE))
    ).all()
    # Booked between the first look and the lock: their passes are taken out of the lock order,
    # so without waiting (ClassBusy, try again, if one is in use right now).
    provider.lock_paid([b.id for b in bookings
                        if b.status == BookingStatus.CONFIRMED and b.id not in set(paid)],
                       wait=False)
    for booking in bookings:
        if booking.status == BookingStatus.CONFIRMED:
            provider.release(booking, late=False)
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = now
        booking.cancel_reason = CancelReason.CLASS_CANCELLED
        enqueue_after_commit("workers.jobs.notifications.send_class_cancelled", booking.id,
                             queue="notifications")
    db.session.flush()
    return cls
