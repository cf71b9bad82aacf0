"""The studio's booking rules, one named function each, taking the class so that its class
type's policy applies (a class type's field left empty takes the studio's): the booking window,
who may book when, the cap on upcoming bookings, which status a new booking gets, the cancel
cutoff, forgiveness and auto-waive of late cancels and what a cancel costs, the fees, the
waitlist mode, cutoff and an offer's hold. The use cases (book, cancel, waitlist) and the fees
apply them; none is written into their SQL (the week page's version restates the window:
app/bookings/week.py, _week_version)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from app.bookings import entitlements
from app.bookings.errors import (
    BookingCapReached,
    BookingClosed,
    BookingNotOpen,
    ClassCancelled,
    ClassStarted,
)
from app.bookings.models import UPCOMING, Booking, BookingStatus
from app.core.i18n import format_datetime
from app.extensions import db
from app.schedule.models import ScheduledClass
from app.studios.models import Studio, StudioCustomer, WaitlistMode

FORGIVENESS_DAYS = 30


def policy(studio: Studio, cls, name: str):
    """The class type's value of policy `name`, else the studio's. `cls` is a class or a week
    page row (whose `class_type` carries the window only: app/schedule/queries.py, ClassRow)."""
    own = getattr(getattr(cls, "class_type", None), name, None)
    return getattr(studio, name) if own is None else own


def booking_window(studio: Studio, cls) -> tuple[timedelta, timedelta]:
    """How long before `cls` starts its booking opens, and closes."""
    return (timedelta(days=policy(studio, cls, "booking_opens_days")),
            timedelta(minutes=policy(studio, cls, "booking_closes_minutes")))


def check_bookable(studio: Studio, cls, now: datetime) -> None:
    """Raise why `cls` cannot be booked at `now` under its booking window. The answer changes
    only when `now` reaches the opening, passes the closing, or reaches the start (the week
    page's version relies on it: app/bookings/week.py, _week_version)."""
    if cls.is_cancelled:
        raise ClassCancelled()
    if cls.has_started(now):
        raise ClassStarted()
    opens_before, closes_before = booking_window(studio, cls)
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


def booking_cap(studio: Studio, cls) -> int | None:
    """Upcoming bookings a customer may hold in the studio to book `cls` (None: no cap). A class
    type may lower the studio's cap, never raise it."""
    caps = [c for c in (studio.max_upcoming_bookings,
                        getattr(cls.class_type, "max_upcoming_bookings", None)) if c is not None]
    return min(caps) if caps else None


def lock_customer(studio: Studio, customer_id: int) -> None:
    """Hold the customer's link to the studio until commit (step 1 of the lock order): the
    rules that count their bookings (the cap, forgiveness) see one change at a time."""
    db.session.execute(select(StudioCustomer.id).where(
        StudioCustomer.studio_id == studio.id, StudioCustomer.user_id == customer_id)
        .with_for_update())


def forgives(studio: Studio, cls) -> bool:
    """Whether the class's policy forgives any late cancels."""
    return bool(policy(studio, cls, "free_late_cancels"))


def check_booking_cap(studio: Studio, cls, customer, now: datetime) -> None:
    """Raise BookingCapReached when `customer` already holds as many upcoming bookings (and
    waitlist places) in the studio as `cls` allows. The customer's link row is locked first
    (step 1 of the lock order: locks.py), so two bookings at once can't both pass the count."""
    cap = booking_cap(studio, cls)
    if cap is None:
        return
    lock_customer(studio, customer.id)
    held = db.session.scalar(
        select(func.count()).select_from(Booking)
        .join(ScheduledClass, ScheduledClass.id == Booking.class_id)
        .where(Booking.studio_id == studio.id, Booking.customer_id == customer.id,
               Booking.status.in_(UPCOMING), ScheduledClass.starts_at > now))
    if held >= cap:
        raise BookingCapReached(cap=cap)


def new_booking_status(cls, taken: int) -> BookingStatus:
    """A confirmed spot while any is left, else the waitlist."""
    return BookingStatus.CONFIRMED if taken < cls.capacity else BookingStatus.WAITLISTED


def is_late_cancel(studio: Studio, cls, now: datetime) -> bool:
    """Cancelling a confirmed spot after the class's cutoff is a late cancel."""
    return now > cls.starts_at - timedelta(minutes=policy(studio, cls, "cancel_cutoff_minutes"))


def is_forgiven(studio: Studio, cls, customer_id: int, now: datetime) -> bool:
    """A late cancel now costs nothing while the customer has made fewer late cancels in the
    studio in the last 30 days than the class's policy forgives."""
    free = policy(studio, cls, "free_late_cancels")
    if not free:
        return False
    made = db.session.scalar(select(func.count()).select_from(Booking).where(
        Booking.studio_id == studio.id, Booking.customer_id == customer_id,
        Booking.status == BookingStatus.LATE_CANCELLED,
        Booking.cancelled_at > now - timedelta(days=FORGIVENESS_DAYS)))
    return made < free


def auto_waives(studio: Studio, cls) -> bool:
    """Whether a late cancel of `cls` costs nothing once the waitlist fills its spot."""
    return bool(policy(studio, cls, "auto_waive_late_cancel"))


def late_cancel_fee(studio: Studio, cls) -> int:
    """The late-cancel fee for `cls`, in minor units of the studio's currency (0: none)."""
    return policy(studio, cls, "late_cancel_fee_minor")


def no_show_fee(studio: Studio, cls) -> int:
    """The no-show fee for `cls`, in minor units of the studio's currency (0: none)."""
    return policy(studio, cls, "no_show_fee_minor")


@dataclass(frozen=True)
class CancelConsequence:
    late: bool
    message: str
    forgiven: bool = False


def cancel_consequence(studio: Studio, booking: Booking, now: datetime) -> CancelConsequence:
    """What cancelling `booking` now will do, told to the customer before they confirm: in
    time, late, late but forgiven, or late unless the waitlist fills the spot."""
    cls = booking.scheduled_class
    late = booking.status == BookingStatus.CONFIRMED and is_late_cancel(studio, cls, now)
    provider = entitlements.provider()
    if late and is_forgiven(studio, cls, booking.customer_id, now):
        free = policy(studio, cls, "free_late_cancels")
        return CancelConsequence(True, ngettext(
            "This is a late cancel, but it is forgiven: the studio forgives %(num)d late "
            "cancel in 30 days, so you keep your credit and pay no fee.",
            "This is a late cancel, but it is forgiven: the studio forgives %(num)d late "
            "cancels in 30 days, so you keep your credit and pay no fee.", free), True)
    message = provider.describe_cancel(booking, late=late)
    if late and auto_waives(studio, cls):
        message = " ".join((message, _("If someone from the waitlist takes your spot, the late "
                                       "cancel is waived.")))
    return CancelConsequence(late, message)


def waitlist_moves(studio: Studio, cls, now: datetime) -> bool:
    """Whether a freed spot may go to the waitlist now: not within the class's waitlist cutoff
    of its start."""
    cutoff = timedelta(minutes=policy(studio, cls, "waitlist_cutoff_minutes"))
    return now < cls.starts_at - cutoff


def promotes_at_once(studio: Studio, cls) -> bool:
    """Whether a freed spot goes straight to the next person waiting (auto mode), rather than
    being offered for them to claim."""
    return policy(studio, cls, "waitlist_mode") == WaitlistMode.AUTO


def offer_expires(studio: Studio, cls, now: datetime) -> datetime:
    """When a spot offered now passes to the next person: after the hold, never past the
    start."""
    return min(now + timedelta(minutes=policy(studio, cls, "offer_hold_minutes")),
               cls.starts_at)
