"""The studio's booking rules, one named function each: the booking window, who may book when,
which status a new booking gets, the cancel cutoff and what a cancel costs, the waitlist mode
and an offer's hold. The use cases (book, cancel, waitlist) apply them; none is written into
their SQL, so a rule can change (per class type, say) in one place."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.bookings import entitlements
from app.bookings.errors import BookingClosed, BookingNotOpen, ClassCancelled, ClassStarted
from app.bookings.models import Booking, BookingStatus
from app.core.i18n import format_datetime
from app.studios.models import Studio, WaitlistMode


def booking_window(studio: Studio) -> tuple[timedelta, timedelta]:
    """How long before a class starts its booking opens, and closes."""
    return (timedelta(days=studio.booking_opens_days),
            timedelta(minutes=studio.booking_closes_minutes))


def check_bookable(studio: Studio, cls, now: datetime) -> None:
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


def check_may_book(studio: Studio, cls, now: datetime, *, staff: bool) -> None:
    """Raise why `cls` cannot be booked now. Staff booking someone in (a walk-in) are not held
    to the booking window, only to a class that is on and not over."""
    if not staff:
        check_bookable(studio, cls, now)
    elif cls.is_cancelled:
        raise ClassCancelled()
    elif now >= cls.ends_at:
        raise BookingClosed()


def new_booking_status(cls, taken: int) -> BookingStatus:
    """A confirmed spot while any is left, else the waitlist."""
    return BookingStatus.CONFIRMED if taken < cls.capacity else BookingStatus.WAITLISTED


def is_late_cancel(studio: Studio, cls, now: datetime) -> bool:
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


def promotes_at_once(studio: Studio) -> bool:
    """Whether a freed spot goes straight to the next person waiting (auto mode), rather than
    being offered for them to claim."""
    return studio.waitlist_mode == WaitlistMode.AUTO


def offer_expires(studio: Studio, now: datetime) -> datetime:
    """When a spot offered now passes to the next person."""
    return now + timedelta(minutes=studio.offer_hold_minutes)
