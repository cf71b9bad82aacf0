"""Read helpers for the operator console: platform-wide counts across every tenant."""

from sqlalchemy import func, select

from app.accounts.models import User
from app.bookings.models import Booking
from app.extensions import db
from app.studios.models import StudioCustomer


def count_customers_by_studio() -> dict[int, int]:
    """Each studio's number of customers, by studio id (a studio without any is absent)."""
    return dict(db.session.execute(
        select(StudioCustomer.studio_id, func.count()).group_by(StudioCustomer.studio_id)).all())


def count_bookings_by_studio() -> dict[int, int]:
    """Each studio's number of bookings ever made, by studio id (absent when none)."""
    return dict(db.session.execute(
        select(Booking.studio_id, func.count()).group_by(Booking.studio_id)).all())


def count_users() -> int:
    """Everyone with an account on the platform."""
    return db.session.scalar(select(func.count()).select_from(User))
