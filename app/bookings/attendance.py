"""Attendance: check-in (and undo), walk-ins, no-shows. These statuses are what policies and
reports count. Services flush; the caller commits.

Other domains learn of a check-in through hooks the factory installs
(`app.extensions["fitflow.after_check_in"]`: functions of the booking, run inside the
transaction, e.g. queueing a certificate once the check-in completes a course), so bookings
imports none of them."""

from flask import current_app
from sqlalchemy import select

from app.bookings import entitlements
from app.bookings.errors import (
    AlreadyCheckedIn,
    ClassFull,
    NotBookedHere,
    NotCheckedIn,
    TooEarlyForNoShow,
)
from app.bookings.models import Booking, BookingStatus
from app.bookings.services import book_class, lock_class
from app.core.db import utcnow
from app.core.jobs import enqueue_after_commit
from app.extensions import db


def check_in(studio, booking: Booking, *, actor, now=None) -> Booking:
    """Mark a booked member as here; checking in twice warns instead of counting twice."""
    lock_class(booking.scheduled_class)
    db.session.refresh(booking)
    if booking.status == BookingStatus.ATTENDED:
        raise AlreadyCheckedIn(name=booking.customer.name)
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.NO_SHOW):
        raise NotBookedHere()
    booking.status = BookingStatus.ATTENDED
    db.session.flush()
    for hook in current_app.extensions.get("fitflow.after_check_in", ()):
        hook(booking)
    return booking


def undo_check_in(studio, booking: Booking, *, actor) -> Booking:
    """Take back a check-in tapped by mistake."""
    lock_class(booking.scheduled_class)
    db.session.refresh(booking)
    if booking.status != BookingStatus.ATTENDED:
        raise NotCheckedIn()
    booking.status = BookingStatus.CONFIRMED
    db.session.flush()
    return booking


def mark_no_show(studio, booking: Booking, *, actor, now=None) -> Booking:
    """After the start, a booked member who did not come is a no-show (the credit is kept)."""
    now = now or utcnow()
    cls = booking.scheduled_class
    if not cls.has_started(now):
        raise TooEarlyForNoShow()
    lock_class(cls)
    db.session.refresh(booking)
    if booking.status != BookingStatus.CONFIRMED:
        raise NotBookedHere()
    booking.status = BookingStatus.NO_SHOW
    db.session.flush()
    entitlements.provider().no_show(booking)
    return booking


def check_in_member(studio, cls, member, *, actor, now=None) -> Booking:
    """Check in the member's booking for `cls` (a scanned pass or a typed code)."""
    booking = db.session.scalar(select(Booking).where(
        Booking.class_id == cls.id, Booking.customer_id == member.id,
        Booking.status.in_((BookingStatus.CONFIRMED, BookingStatus.ATTENDED,
                            BookingStatus.NO_SHOW))))
    if booking is None:
        raise NotBookedHere()
    return check_in(studio, booking, actor=actor, now=now)


def add_walk_in(studio, cls, member, *, actor, now=None) -> Booking:
    """Book a member who turned up at the door and check them in at once (a spot must be free)."""
    booking = book_class(studio, cls, member, actor=actor, now=now, staff=True)
    if booking.status == BookingStatus.WAITLISTED:
        raise ClassFull()
    return check_in(studio, booking, actor=actor, now=now)


def invite_walk_in(studio, cls, email: str, *, actor) -> None:
    """Someone at the door who is not yet the studio's customer: email them an invitation to
    book (or to join first); whether the address has an account is decided in the job, so the
    coach's answer never tells."""
    enqueue_after_commit("workers.jobs.notifications.send_walk_in_invite", cls.id,
                         email.strip().lower()[:254], queue="notifications")
