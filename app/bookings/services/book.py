"""Booking a class: a confirmed spot while any is left, else the waitlist."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import make_transient_to_detached

from app.bookings import entitlements
from app.bookings.errors import AccountMerged
from app.bookings.models import ACTIVE_SQL, Booking, BookingStatus
from app.bookings.services.locks import active_booking, lock_class
from app.bookings.services.rules import check_booking_cap, check_may_book, new_booking_status
from app.core.db import insert_built_once, utcnow
from app.core.errors import DomainError
from app.core.jobs import enqueue_after_commit
from app.extensions import db
from app.schedule.models import ScheduledClass
from app.studios.models import Studio
from app.studios.policies import check_open
from app.studios.services import ensure_customer

_BOOKINGS = Booking.__table__


@insert_built_once
def _insert_booking(insert):
    """INSERT a booking unless the customer already holds an active one in the class: the
    partial unique index answers that in the same statement (RETURNING the new row)."""
    return (insert(_BOOKINGS)
            .on_conflict_do_nothing(index_elements=["class_id", "customer_id"],
                                    index_where=text(ACTIVE_SQL))
            .returning(*_BOOKINGS.c))


def _as_loaded(row) -> Booking:
    """The inserted row as a Booking of the session, as if loaded (no statement)."""
    booking = Booking(**row._mapping)
    make_transient_to_detached(booking)
    db.session.add(booking)
    return booking


@dataclass(frozen=True)
class Booked:
    """A booking made or found, and the spots its class had taken right after the decision
    (None when the booking was found rather than made: nothing was decided)."""

    booking: Booking
    spots_taken: int | None = None


def book_class(studio: Studio, cls: ScheduledClass, customer, *, actor,
               now: datetime | None = None, staff: bool = False) -> Booking:
    """Book `customer` into `cls`: a confirmed spot while any is left, else the waitlist.

    Submitting twice returns the booking made the first time. Staff booking someone in (a
    walk-in) are not held to the booking window (rules.check_may_book). In a studio that
    requires a pass, a customer who cannot pay is refused either way (the waitlist too).
    """
    return make_booking(studio, cls, customer, actor=actor, now=now, staff=staff).booking


def make_booking(studio: Studio, cls: ScheduledClass, customer, *, actor,
                 now: datetime | None = None, staff: bool = False,
                 linked: bool = False) -> Booked:
    """book_class, telling also the spots taken once the booking was decided (the panel that
    answers the customer shows them). `linked`: the caller saw that `customer` is already the
    studio's customer (no statement to make them one)."""
    now = now or utcnow()
    check_open(studio)
    provider = entitlements.provider()
    # Everyone booking the class waits while its lock is held, so all that can comes before
    # it, in the lock order (locks.py): the customer's link, then their passes, chosen.
    if not linked:
        ensure_customer(studio, customer)
    cap_refusal = None
    if not staff:  # the desk may book a customer past the cap
        try:
            check_booking_cap(studio, cls, customer, now)
        except DomainError as exc:
            cap_refusal = exc  # raised once the booking is otherwise decided, as a hold's is
    hold = provider.hold(studio, customer, cls)
    taken = lock_class(cls)
    try:
        check_may_book(studio, cls, now, staff=staff)
        if cap_refusal is not None:
            raise cap_refusal
        if hold.refusal is not None:
            raise hold.refusal
    except DomainError:
        if (existing := active_booking(cls, customer)) is not None:
            return Booked(existing)  # booked before: the same answer as then
        raise
    status = new_booking_status(cls, taken)
    row = db.session.connection().execute(_insert_booking(), {
        "studio_id": studio.id, "class_id": cls.id, "customer_id": customer.id,
        "status": status, "booked_by_id": actor.id}).first()
    if row is None:
        # Already in (a second tap the view's look missed): an active booking is only ever
        # made or ended under the class lock, so this one is settled.
        existing = active_booking(cls, customer)
        if existing is None:  # merged away: the account kept (the trigger's) is in already
            raise AccountMerged()
        return Booked(existing)
    booking = _as_loaded(row)
    if status == BookingStatus.CONFIRMED:
        provider.reserve(studio, booking, hold)
        taken += 1
    if status in (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED):
        enqueue_after_commit("workers.jobs.notifications.send_booking_confirmed", booking.id,
                             queue="notifications")
    return Booked(booking, taken)
