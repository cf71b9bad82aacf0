"""Booking on a customer's behalf at the desk: the customer's own use cases (book, cancel, the
waitlist) with their rules and locks, each naming the staff member in the audit log; and what
only staff do: waive a late cancel's consequence, promote from the waitlist by hand, move a
booking to another class."""

from datetime import datetime

from app.audit.services import record
from app.bookings import entitlements
from app.bookings.errors import AlreadyInClass, ClassFull, NotCancellable, NotWaiting, SameClass
from app.bookings.models import Booking, BookingStatus, CancelReason
from app.bookings.services.book import Booked, make_booking
from app.bookings.services.cancel import CANCELLABLE, Cancellation, cancel_booking
from app.bookings.services.locks import active_booking, lock_class
from app.bookings.services.rules import check_may_book, is_late_cancel, new_booking_status
from app.bookings.services.waitlist import fill_spots, refilled_late_cancel, waive_refilled
from app.core.db import utcnow
from app.extensions import db
from app.schedule.models import ScheduledClass
from app.studios.models import Studio
from app.studios.policies import check_open


def _audit(action: str, booking: Booking, *, actor, **data) -> None:
    record(action, actor=actor, studio_id=booking.studio_id, subject=f"booking:{booking.id}",
           customer_id=booking.customer_id, class_id=booking.class_id, **data)


def book_for(studio: Studio, cls: ScheduledClass, customer, *, actor,
             now: datetime | None = None) -> Booked:
    """Book `customer` into `cls` for them: a spot while any is left, else the waitlist (a
    walk-in: not held to the booking window). A second submit returns the first booking."""
    booked = make_booking(studio, cls, customer, actor=actor, now=now, staff=True)
    if booked.spots_taken is not None:  # made now, not found from before
        _audit("booking.booked_for", booked.booking, actor=actor,
               status=str(booked.booking.status))
    return booked


def cancel_for(studio: Studio, booking: Booking, *, actor, waive_late: bool = False,
               now: datetime | None = None) -> Cancellation:
    """Cancel a booking, an offer or a waitlist place for the customer. `waive_late`: a late
    cancel costs what one in time does (credit back, no fee), and the audit log says so."""
    now = now or utcnow()
    would_be_late = (booking.status == BookingStatus.CONFIRMED
                     and is_late_cancel(studio, booking.scheduled_class, now))
    was = str(booking.status)
    cancellation = cancel_booking(studio, booking, actor=actor, now=now,
                                  reason=CancelReason.STAFF, waive_late=waive_late)
    _audit("booking.cancelled_for", booking, actor=actor, was=was,
           late=cancellation.released.late,
           late_waived=bool(waive_late and would_be_late))
    return cancellation


def promote(studio: Studio, booking: Booking, *, actor, now: datetime | None = None) -> Booking:
    """Give a waiting customer a spot by hand, ahead of the queue: a free spot, or the spot
    offered to them. Paid like their own booking; ClassFull when no spot is free."""
    now = now or utcnow()
    check_open(studio)
    cls = booking.scheduled_class
    provider = entitlements.provider()
    hold = provider.hold(studio, booking.customer, cls)  # before the class lock (locks.py)
    refilled = refilled_late_cancel(studio, cls)
    taken = lock_class(cls)
    db.session.refresh(booking)
    if booking.status not in (BookingStatus.WAITLISTED, BookingStatus.OFFERED):
        raise NotWaiting()
    check_may_book(studio, cls, now, staff=True)
    if booking.status == BookingStatus.WAITLISTED and taken >= cls.capacity:
        raise ClassFull()
    was = str(booking.status)
    provider.reserve(studio, booking, hold)
    booking.status = BookingStatus.CONFIRMED
    booking.offer_expires_at = None
    db.session.flush()
    waive_refilled(studio, refilled, now=now)
    _audit("booking.promoted", booking, actor=actor, was=was)
    return booking


def in_lock_order(*classes: ScheduledClass) -> list[ScheduledClass]:
    """Classes locked together, in id order."""
    return sorted(classes, key=lambda c: c.id)


def move(studio: Studio, booking: Booking, to: ScheduledClass, *, actor,
         now: datetime | None = None) -> Booking:
    """Move a booking to another class of the studio, in one transaction: the old one is
    cancelled without a late consequence (its credit back) and the new one is booked and paid
    the same way. Refused whole (ClassFull) when the other class has no free spot."""
    now = now or utcnow()
    check_open(studio)
    old, customer = booking.scheduled_class, booking.customer
    if to.id == old.id:
        raise SameClass()
    provider = entitlements.provider()
    # Lock order (locks.py): the customer's passes, all of them in id order (the hold locks
    # every pass they hold here, so the one that paid too), then both classes in id order.
    # Every other path holds one class lock and waits for nothing after it, so two class
    # locks taken in id order cannot close a cycle.
    provider.hold(studio, customer, to)
    provider.lock_paid([booking.id])
    taken = {cls.id: lock_class(cls) for cls in in_lock_order(old, to)}
    db.session.refresh(booking)
    if booking.status not in CANCELLABLE or (
            booking.status == BookingStatus.CONFIRMED and old.has_started(now)):
        raise NotCancellable()
    check_may_book(studio, to, now, staff=True)
    if active_booking(to, customer) is not None:
        raise AlreadyInClass(name=customer.name)
    if new_booking_status(to, taken[to.id]) != BookingStatus.CONFIRMED:
        raise ClassFull()
    freed = booking.status != BookingStatus.WAITLISTED
    if booking.status == BookingStatus.CONFIRMED:
        provider.release(booking, late=False)
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancel_reason = CancelReason.STAFF
    db.session.flush()
    # Picked again now that the old booking's credit is back; the passes are this
    # transaction's already, so nothing waits under the class locks.
    hold = provider.hold(studio, customer, to)
    moved = Booking(studio_id=studio.id, class_id=to.id, customer_id=customer.id,
                    status=BookingStatus.CONFIRMED, booked_by_id=actor.id)
    db.session.add(moved)
    db.session.flush()
    provider.reserve(studio, moved, hold)
    if freed:
        fill_spots(studio, old, now=now, taken=taken[old.id] - 1)
    record("booking.moved", actor=actor, studio_id=studio.id, subject=f"booking:{moved.id}",
           customer_id=customer.id, from_booking_id=booking.id, from_class_id=old.id,
           class_id=to.id)
    return moved
