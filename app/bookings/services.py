"""Booking use cases: book, cancel, claim an offer, promote the waitlist.

Capacity is a lock plus a constraint: every change to a class's bookings first locks the class
row (SELECT … FOR UPDATE with a short lock_timeout on PostgreSQL), and a partial unique index
allows one active booking per customer per class. Services flush; the caller commits.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import Select, bindparam, func, select, text
from sqlalchemy.orm import lazyload

from app.bookings import entitlements
from app.bookings.errors import (
    BookingClosed,
    BookingNotOpen,
    ClassBusy,
    ClassCancelled,
    ClassStarted,
    NotCancellable,
    OfferExpired,
)
from app.bookings.models import (
    ACTIVE,
    ACTIVE_SQL,
    HOLDS_SPOT,
    Booking,
    BookingStatus,
    CancelReason,
)
from app.core.db import bounded_wait, insert_built_once, is_postgresql, one_of, utcnow
from app.core.errors import DomainError
from app.core.i18n import format_datetime
from app.core.jobs import enqueue_after_commit
from app.extensions import db
from app.schedule.errors import AlreadyCancelled, ClassInPast
from app.schedule.models import ClassStatus, ScheduledClass
from app.studios.models import Studio, WaitlistMode
from app.studios.policies import check_open
from app.studios.services import ensure_customer


@cache
def _reread_class(*, locked: bool) -> Select:
    # Type and location are not joined in: they cannot change the booking, and stay loaded.
    reread = (select(ScheduledClass, ScheduledClass.spots_taken)
              .where(ScheduledClass.id == bindparam("id"))
              .options(lazyload(ScheduledClass.class_type), lazyload(ScheduledClass.location))
              .execution_options(populate_existing=True))
    return reread.with_for_update(of=ScheduledClass) if locked else reread


def lock_class(cls: ScheduledClass) -> int:
    """Serialise every booking change on one class for the rest of the transaction; `cls` is
    re-read under the lock (one statement: the locked row refreshes the loaded object). Returns
    its spots taken, as of this transaction."""
    if not is_postgresql():
        return db.session.execute(_reread_class(locked=False), {"id": cls.id}).one()[1]
    # Statements bounded too, to the commit: putting the default back would cost everyone
    # queued behind this lock one more round trip.
    with bounded_wait(current_app.config["BOOKING_LOCK_TIMEOUT_MS"], ClassBusy,
                      whole_statements=True):
        return db.session.execute(_reread_class(locked=True), {"id": cls.id}).one()[1]


_SPOTS_TAKEN = select(ScheduledClass.spots_taken).where(ScheduledClass.id == bindparam("id"))


def spots_taken(cls: ScheduledClass) -> int:
    """Bookings holding a spot in `cls` (confirmed, offered, attended, no-show), as of this
    transaction (the class row's count, which a trigger keeps: ScheduledClass.spots_taken)."""
    return db.session.scalar(_SPOTS_TAKEN, {"id": cls.id})


_ACTIVE_BOOKING = select(Booking).where(
    Booking.class_id == bindparam("class_id"), Booking.customer_id == bindparam("customer_id"),
    one_of(Booking.status, ACTIVE))


def active_booking(cls: ScheduledClass, customer) -> Booking | None:
    return db.session.scalar(_ACTIVE_BOOKING, {"class_id": cls.id, "customer_id": customer.id})


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


def booking_window(studio: Studio) -> tuple[timedelta, timedelta]:
    """How long before a class starts its booking opens, and closes."""
    return (timedelta(days=studio.booking_opens_days),
            timedelta(minutes=studio.booking_closes_minutes))


def check_bookable(studio: Studio, cls: ScheduledClass, now: datetime) -> None:
    """Raise why `cls` cannot be booked at `now` under the studio's booking window. The answer
    changes only when `now` reaches the opening, passes the closing, or reaches the start
    (the week page's version relies on it: app/bookings/week.py, _week_version)."""
    if cls.is_cancelled:
        raise ClassCancelled()
    if cls.has_started(now):
        raise ClassStarted()
    opens_before, closes_before = booking_window(studio)
    opens = cls.starts_at - opens_before
    if now < opens:
        raise BookingNotOpen(opens=format_datetime(opens, cls.timezone))
    if now > cls.starts_at - closes_before:
        raise BookingClosed()


def is_late_cancel(studio: Studio, cls: ScheduledClass, now: datetime) -> bool:
    """Cancelling a confirmed spot after the studio's cutoff is a late cancel."""
    return now > cls.starts_at - timedelta(minutes=studio.cancel_cutoff_minutes)


@dataclass(frozen=True)
class CancelConsequence:
    late: bool
    message: str


def cancel_consequence(studio: Studio, booking: Booking, now: datetime) -> CancelConsequence:
    """What cancelling `booking` now will do, told to the customer before they confirm."""
    late = booking.status == BookingStatus.CONFIRMED and is_late_cancel(
        studio, booking.scheduled_class, now
    )
    return CancelConsequence(late, entitlements.provider().describe_cancel(booking, late=late))


@insert_built_once
def _insert_booking(insert):
    """INSERT a booking unless the customer already holds an active one in the class: the
    partial unique index answers that in the same statement (RETURNING the new booking)."""
    return (insert(Booking)
            .on_conflict_do_nothing(index_elements=["class_id", "customer_id"],
                                    index_where=text(ACTIVE_SQL))
            .returning(Booking))


def _check_may_book(studio: Studio, cls: ScheduledClass, now: datetime, staff: bool) -> None:
    if not staff:
        check_bookable(studio, cls, now)
    elif cls.is_cancelled:
        raise ClassCancelled()
    elif now >= cls.ends_at:
        raise BookingClosed()


def book_class(studio: Studio, cls: ScheduledClass, customer, *, actor, now=None,
               staff: bool = False) -> Booking:
    """Book `customer` into `cls`: a confirmed spot while any is left, else the waitlist.

    Submitting twice returns the booking made the first time. Staff booking someone in (a
    walk-in) are not held to the booking window, only to a class that is on and not over.
    """
    now = now or utcnow()
    check_open(studio)
    # Whatever does not need the class lock comes before it: everyone booking the class
    # waits while it is held, so under it there are two statements and the commit.
    ensure_customer(studio, customer)
    taken = lock_class(cls)
    try:
        _check_may_book(studio, cls, now, staff)
    except DomainError:
        if (existing := active_booking(cls, customer)) is not None:
            return existing  # booked before the window closed: the same answer as then
        raise
    status = BookingStatus.CONFIRMED if taken < cls.capacity else BookingStatus.WAITLISTED
    booking = db.session.scalars(_insert_booking(), [{
        "studio_id": studio.id, "class_id": cls.id, "customer_id": customer.id,
        "status": status, "booked_by_id": actor.id}]).first()
    if booking is None:
        # Already in (a second tap the view's look missed): an active booking is only ever
        # made or ended under the class lock, so this one is settled.
        return active_booking(cls, customer)
    if status == BookingStatus.CONFIRMED:
        entitlements.provider().reserve(booking)
    else:
        entitlements.provider().check(booking)
    db.session.flush()
    return booking


@dataclass(frozen=True)
class Cancellation:
    """A cancelled booking and what cancelling it did (credit back or used, fee owed)."""

    booking: Booking
    released: entitlements.Released


def cancel_booking(studio: Studio, booking: Booking, *, actor, now=None,
                   reason: CancelReason = CancelReason.CUSTOMER) -> Cancellation:
    """Cancel a spot, an offer or a waitlist place; a freed spot goes to the waitlist.
    Returns the booking with what the cancel cost the customer."""
    now = now or utcnow()
    cls = booking.scheduled_class
    taken = lock_class(cls)
    db.session.refresh(booking)
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED,
                              BookingStatus.OFFERED):
        raise NotCancellable()
    if booking.status == BookingStatus.CONFIRMED and cls.has_started(now):
        raise NotCancellable()
    freed = booking.status in HOLDS_SPOT
    late = booking.status == BookingStatus.CONFIRMED and is_late_cancel(studio, cls, now)
    released = entitlements.Released()
    if booking.status == BookingStatus.CONFIRMED:
        released = entitlements.provider().release(booking, late=late)
    booking.status = BookingStatus.LATE_CANCELLED if late else BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancel_reason = reason
    db.session.flush()
    if freed:
        fill_spots(studio, cls, now=now, taken=taken - 1)
    return Cancellation(booking, released)


def claim_offer(studio: Studio, booking: Booking, *, actor, now=None) -> Booking:
    """Take up an offered spot before the hold runs out."""
    now = now or utcnow()
    check_open(studio)
    lock_class(booking.scheduled_class)
    db.session.refresh(booking)
    if booking.status == BookingStatus.CONFIRMED:
        return booking
    if not booking.offer_open(now):
        raise OfferExpired()
    entitlements.provider().reserve(booking)
    booking.status = BookingStatus.CONFIRMED
    booking.offer_expires_at = None
    db.session.flush()
    return booking


def fill_spots(studio: Studio, cls: ScheduledClass, *, now: datetime,
               taken: int | None = None) -> list[Booking]:
    """Move people from the waitlist into free spots: booked at once (auto) or offered (claim).

    The caller holds the class lock; `taken`: the spots taken now, when the caller knows
    (else they are read).
    """
    if cls.is_cancelled or cls.has_started(now):
        return []
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
        if studio.waitlist_mode == WaitlistMode.AUTO and _try_reserve(booking):
            booking.status = BookingStatus.CONFIRMED
            enqueue_after_commit("workers.jobs.notifications.send_promoted", booking.id,
                                 queue="notifications")
        else:
            # claim mode, or auto mode for someone who cannot pay right now: hold the spot
            # for them, so they can buy a pass and claim it in time.
            booking.status = BookingStatus.OFFERED
            booking.offer_expires_at = now + timedelta(minutes=studio.offer_hold_minutes)
            enqueue_after_commit("workers.jobs.notifications.send_offer", booking.id,
                                 queue="notifications")
            enqueue_after_commit("workers.jobs.bookings.expire_offer", booking.id,
                                 at=booking.offer_expires_at)
        moved.append(booking)
    db.session.flush()
    return moved


def _try_reserve(booking: Booking) -> bool:
    try:
        entitlements.provider().reserve(booking)
    except DomainError:
        return False
    return True


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
    fill_spots(studio, cls, now=now)
    return True


def cancel_class(studio: Studio, cls: ScheduledClass, *, actor, now=None) -> ScheduledClass:
    """Cancel one class: every booking is cancelled (nothing lost) and each customer is told."""
    now = now or utcnow()
    lock_class(cls)
    if cls.is_cancelled:
        raise AlreadyCancelled()
    if cls.has_started(now):
        raise ClassInPast()
    cls.status = ClassStatus.CANCELLED
    cls.cancelled_at = now
    bookings = db.session.scalars(
        select(Booking).where(
            Booking.class_id == cls.id,
            Booking.status.in_((BookingStatus.CONFIRMED, BookingStatus.WAITLISTED,
                                BookingStatus.OFFERED)),
        )
    ).all()
    for booking in bookings:
        if booking.status == BookingStatus.CONFIRMED:
            entitlements.provider().release(booking, late=False)
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = now
        booking.cancel_reason = CancelReason.CLASS_CANCELLED
        enqueue_after_commit("workers.jobs.notifications.send_class_cancelled", booking.id,
                             queue="notifications")
    db.session.flush()
    return cls
