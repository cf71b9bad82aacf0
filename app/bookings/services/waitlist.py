"""The waitlist: places in it, spots passed on to it, offers claimed or expired."""

from datetime import datetime

from sqlalchemy import func, select

from app.bookings import entitlements
from app.bookings.errors import OfferExpired
from app.bookings.models import Booking, BookingStatus, CancelReason, LateWaiver
from app.bookings.services.locks import lock_class, spots_taken
from app.bookings.services.rules import (
    auto_waives,
    offer_expires,
    promotes_at_once,
    waitlist_moves,
)
from app.core.db import utcnow
from app.core.errors import DomainError
from app.core.jobs import enqueue_after_commit
from app.extensions import db
from app.schedule.models import ScheduledClass
from app.studios.models import Studio
from app.studios.policies import check_open


def waitlist_position(booking: Booking) -> int | None:
    """1-based place in the class's waitlist (order of joining), or None when not waiting."""
    if booking.status != BookingStatus.WAITLISTED:
        return None
    return db.session.scalar(
        select(func.count()).where(
            Booking.class_id == booking.class_id,
            Booking.status == BookingStatus.WAITLISTED,
            Booking.id <= booking.id,
        )
    )


def fill_spots(studio: Studio, cls: ScheduledClass, *, now: datetime,
               taken: int | None = None) -> list[Booking]:
    """Move people from the waitlist into free spots: booked at once (auto) or offered (claim).

    The caller holds the class lock; `taken`: the spots taken now, when the caller knows
    (else they are read).
    """
    if cls.is_cancelled or cls.has_started(now) or studio.suspended_at is not None:
        return []  # a suspended studio books nobody, from its waitlist neither
    if not waitlist_moves(studio, cls, now):
        return []  # within the waitlist cutoff: the spot stays free, nobody is promoted
    moved = []
    free = cls.capacity - (spots_taken(cls) if taken is None else taken)
    if free <= 0:
        return []
    waiting = db.session.scalars(
        select(Booking)
        .where(Booking.class_id == cls.id, Booking.status == BookingStatus.WAITLISTED)
        .order_by(Booking.id)
        .limit(free)
    ).all()
    for booking in waiting:
        if promotes_at_once(studio, cls) and _try_reserve(studio, booking):
            booking.status = BookingStatus.CONFIRMED
            enqueue_after_commit("workers.jobs.notifications.send_promoted", booking.id,
                                 queue="notifications")
        else:
            # claim mode, or auto mode for someone who cannot pay right now: hold the spot
            # for them, so they can buy a pass and claim it in time.
            booking.status = BookingStatus.OFFERED
            booking.offer_expires_at = offer_expires(studio, cls, now)
            enqueue_after_commit("workers.jobs.notifications.send_offer", booking.id,
                                 queue="notifications")
            enqueue_after_commit("workers.jobs.bookings.expire_offer", booking.id,
                                 at=booking.offer_expires_at)
        moved.append(booking)
    db.session.flush()
    return moved


def _try_reserve(studio: Studio, booking: Booking) -> bool:
    """Pay for a promotion under the class lock: the customer's passes without waiting for
    them (the lock order: locks.py); in use, or none that can pay, and the spot is offered."""
    try:
        entitlements.provider().reserve(studio, booking)
    except DomainError:
        return False
    return True


def claim_offer(studio: Studio, booking: Booking, *, actor, now=None) -> Booking:
    """Take up an offered spot before the hold runs out (a late cancel that freed the spot may
    be waived: waive_refilled)."""
    now = now or utcnow()
    check_open(studio)
    cls = booking.scheduled_class
    hold = entitlements.provider().hold(studio, booking.customer, cls)
    refilled = refilled_late_cancel(studio, cls)
    lock_class(cls)
    db.session.refresh(booking)
    if booking.status == BookingStatus.CONFIRMED:
        return booking
    if not booking.offer_open(now):
        raise OfferExpired()
    entitlements.provider().reserve(studio, booking, hold)
    booking.status = BookingStatus.CONFIRMED
    booking.offer_expires_at = None
    db.session.flush()
    waive_refilled(studio, refilled, now=now)
    return booking


def refilled_late_cancel(studio: Studio, cls: ScheduledClass) -> Booking | None:
    """Before the class lock, when a spot of `cls` is about to be filled from the waitlist: the
    first late cancel of the class whose cost auto-waive will give back (None when the policy
    is off or there is none), with what paid for it locked (without waiting: someone else's
    passes, after the claimer's: ClassBusy when in use)."""
    if not auto_waives(studio, cls):
        return None
    booking = db.session.scalar(
        select(Booking).where(Booking.class_id == cls.id,
                              Booking.status == BookingStatus.LATE_CANCELLED,
                              Booking.late_waived_at.is_(None))
        .order_by(Booking.cancelled_at, Booking.id).limit(1))
    if booking is not None:
        entitlements.provider().lock_paid([booking.id], wait=False)
    return booking


def waive_refilled(studio: Studio, booking: Booking | None, *, now: datetime) -> None:
    """The waitlist filled the spot `booking`'s late cancel freed: give its cost back (the
    credit, an unpaid fee), once."""
    if booking is None:
        return
    db.session.refresh(booking)
    if booking.late_waived_at is not None:
        return
    entitlements.provider().undo_late_cancel(studio, booking)
    booking.late_waived_at = now
    booking.late_waiver = LateWaiver.REFILLED
    db.session.flush()


def expire_offer(studio: Studio, booking: Booking, *, now=None) -> bool:
    """Pass an unclaimed offer on to the next person once its hold has run out."""
    now = now or utcnow()
    cls = booking.scheduled_class
    lock_class(cls)
    db.session.refresh(booking)
    if booking.status != BookingStatus.OFFERED or booking.offer_open(now):
        return False
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancel_reason = CancelReason.OFFER_EXPIRED
    db.session.flush()
    enqueue_after_commit("workers.jobs.notifications.send_offer_expired", booking.id,
                         queue="notifications")
    fill_spots(studio, cls, now=now)
    return True
