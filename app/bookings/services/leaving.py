"""A person deleting their account, as the bookings see it: every booking, offer and waitlist
place ahead is cancelled through `cancel_booking` (the same locks and rules: a credit goes
back, a freed spot goes to the waitlist), never as a late cancel. Called through accounts'
seam (app/accounts/services/deletion.py)."""

from sqlalchemy import select

from app.bookings.models import Booking
from app.bookings.services.cancel import CANCELLABLE, cancel_booking
from app.extensions import db
from app.schedule.models import ScheduledClass
from app.studios.models import Studio


def cancel_bookings_ahead(customer, *, actor, now) -> int:
    """Cancel `customer`'s bookings of classes not begun yet, in every studio, as cancels in
    time (no fee, the credit back); how many."""
    ahead = db.session.scalars(
        select(Booking).join(ScheduledClass, ScheduledClass.id == Booking.class_id)
        .where(Booking.customer_id == customer.id, Booking.status.in_(CANCELLABLE),
               ScheduledClass.starts_at > now)
        .order_by(ScheduledClass.starts_at, Booking.id)).all()
    for booking in ahead:
        studio = db.session.get(Studio, booking.studio_id)
        cancel_booking(studio, booking, actor=actor, now=now, waive_late=True)
    return len(ahead)
