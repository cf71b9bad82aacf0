"""Summaries the reports read, kept by triggers (migration 0044) in the transaction that changes
a booking, a class, an order, a payment, a refund or an invoice, never by the app. The class's
own tallies live on the class (app.schedule.models.ScheduledClass.*_count)."""

from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Index, Numeric, String, Text
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
    # Bit k - 1: they booked k months after the first (k = 1 … retention.FOLLOWED).
    kept: Mapped[int] = mapped_column(server_default="0")


class Cohort(db.Model):
    """Customers whose first month in a studio is `first_month` (k = 0) and, for k = 1 … 3,
    how many of them booked k months later. No row when none."""

    __tablename__ = "report_cohorts"

    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), primary_key=True)
    first_month: Mapped[int] = mapped_column(primary_key=True)
    k: Mapped[int] = mapped_column(primary_key=True)
    customers: Mapped[int]


class RevenueDay(db.Model):
    """What one kind of money line adds up to in a studio on one local day of the location it
    was sold at: `line` sale (per plan, 0: a fee), payment (per method), refund or
    credit_note; n the lines, each amount in minor units of `currency`. No row when n is 0."""

    __tablename__ = "report_revenue_days"

    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    line: Mapped[str] = mapped_column(String(20), primary_key=True)
    plan_id: Mapped[int] = mapped_column(primary_key=True)
    method: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int]
    net_minor: Mapped[int] = mapped_column(BigInteger)
    tax_minor: Mapped[int] = mapped_column(BigInteger)
    amount_minor: Mapped[int] = mapped_column(BigInteger)


class TaxDay(db.Model):
    """A tax (code and rate) on a studio's local day at one location: the taxable amount and
    what was collected on paid orders, less what credit notes gave back; `name` the tax's
    names (JSON text); `lines` the tax lines counted (no row when 0)."""

    __tablename__ = "report_tax_days"

    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    rate: Mapped[Decimal] = mapped_column(Numeric, primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    lines: Mapped[int]
    base_minor: Mapped[int] = mapped_column(BigInteger)
    collected_minor: Mapped[int] = mapped_column(BigInteger)
    returned_minor: Mapped[int] = mapped_column(BigInteger)
