"""Summaries the reports read, kept by triggers (migration 0043) in the transaction that changes
a booking or a class, never by the app. The class's own tallies live on the class
(app.schedule.models.ScheduledClass.*_count)."""

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class CustomerMonth(db.Model):
    """A customer's bookings in a studio that kept their place (confirmed, attended, no-show,
    late-cancelled) in classes held, in one month of the class's location (year * 12 + month
    - 1). Months without such bookings have no row."""

    __tablename__ = "report_customer_months"

    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    month: Mapped[int] = mapped_column(primary_key=True)
    bookings: Mapped[int]


class CustomerFirst(db.Model):
    """A customer's firsts in a studio: the class of their first booking that kept its place
    (in a class held), the class of their first check-in, and the first month of the former
    (None: none yet). A customer with neither first has no row."""

    __tablename__ = "report_customer_firsts"
    __table_args__ = (
        Index("ix_report_customer_firsts_booked", "first_booked_class_id"),
        Index("ix_report_customer_firsts_visit", "first_visit_class_id"),
        Index("ix_report_customer_firsts_month", "studio_id", "first_month"),
    )

    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    first_booked_class_id: Mapped[int | None]
    first_visit_class_id: Mapped[int | None]
    first_month: Mapped[int | None]
