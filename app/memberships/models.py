import enum
from datetime import date, datetime, timedelta

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin, UTCDateTime, str_enum
from app.extensions import db


class PlanKind(enum.StrEnum):
    DROP_IN = "drop_in"
    CLASS_PACK = "class_pack"
    MEMBERSHIP = "membership"
    INTRO = "intro"


class ValidityStart(enum.StrEnum):
    PURCHASE = "purchase"
    FIRST_BOOKING = "first_booking"


class Period(enum.StrEnum):
    MONTH = "month"
    YEAR = "year"


class Plan(TimestampMixin, db.Model):
    """Something a studio sells: a drop-in, a class pack, a membership or an intro offer."""

    __tablename__ = "plans"
    __table_args__ = (
        CheckConstraint("price_minor >= 0", name="price"),
        CheckConstraint("credits IS NULL OR credits > 0", name="credits"),
        CheckConstraint("validity_days IS NULL OR validity_days > 0", name="validity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    kind: Mapped[PlanKind] = mapped_column(str_enum(PlanKind, "plan_kind"))
    name: Mapped[dict] = mapped_column(JSON, default=dict)
    description: Mapped[dict] = mapped_column(JSON, default=dict)
    price_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    credits: Mapped[int | None]  # None: unlimited (memberships)
    validity_days: Mapped[int | None]
    validity_start: Mapped[ValidityStart] = mapped_column(
        str_enum(ValidityStart, "validity_start"), default=ValidityStart.PURCHASE)
    period: Mapped[Period | None] = mapped_column(str_enum(Period, "plan_period"))
    classes_per_week: Mapped[int | None]
    eligible_class_type_ids: Mapped[list] = mapped_column(JSON, default=list)  # empty: all
    active: Mapped[bool] = mapped_column(default=True)
    # A priced one-off event's ticket: offered with, and paying for, that class only.
    event_class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id"), index=True)
    # Freezing a membership: allowed at all, how long (days), how often per year, for a fee.
    freeze_allowed: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    freeze_min_days: Mapped[int] = mapped_column(default=7, server_default="7")
    freeze_max_days: Mapped[int] = mapped_column(default=30, server_default="30")
    freezes_per_year: Mapped[int] = mapped_column(default=1, server_default="1")
    freeze_fee_minor: Mapped[int] = mapped_column(default=0, server_default="0")

    @property
    def is_membership(self) -> bool:
        return self.kind == PlanKind.MEMBERSHIP

    @property
    def once_per_customer(self) -> bool:
        return self.kind == PlanKind.INTRO

    def covers(self, class_type_id: int) -> bool:
        return not self.eligible_class_type_ids or class_type_id in self.eligible_class_type_ids


class PassStatus(enum.StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"  # a membership that ends at its period end
    REVOKED = "revoked"      # refunded: unused credits are gone


class Pass(TimestampMixin, db.Model):
    """A customer's purchased entitlement: credits and/or a validity window."""

    __tablename__ = "passes"
    __table_args__ = (Index("ix_passes_customer_studio", "customer_id", "studio_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    credits_total: Mapped[int | None]
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None until first booking
    status: Mapped[PassStatus] = mapped_column(str_enum(PassStatus, "pass_status"),
                                               default=PassStatus.ACTIVE)
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False)
    # Its current or coming freeze, [from, until) in UTC: the local days of a PassFreeze, kept
    # on the pass so paying for a booking reads no other row.
    frozen_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    frozen_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    plan: Mapped[Plan] = relationship(lazy="joined")

    @property
    def frozen_last_moment(self) -> datetime | None:
        """An instant of the pause's last day (shown as that day in the studio's zone)."""
        return self.frozen_until - timedelta(seconds=1) if self.frozen_until else None

    def frozen_at(self, moment: datetime) -> bool:
        return (self.frozen_from is not None and self.frozen_from <= moment
                and moment < self.frozen_until)

    @property
    def is_unlimited(self) -> bool:
        return self.credits_total is None

    def usable_for(self, class_start: datetime) -> bool:
        """Active, started by then, and not expired by the class start."""
        if self.status == PassStatus.REVOKED:
            return False
        if self.starts_at is not None and class_start < self.starts_at:
            return False
        if self.frozen_at(class_start):
            return False
        return self.expires_at is None or class_start < self.expires_at


class CreditReason(enum.StrEnum):
    PURCHASE = "purchase"
    BOOKING = "booking"
    RETURNED = "returned"
    REVOKED = "revoked"


class CreditEntry(TimestampMixin, db.Model):
    """Append-only ledger of a pass's credits; the balance is always the sum."""

    __tablename__ = "credit_entries"
    __table_args__ = (
        # A booking takes a credit once and gets it back at most once.
        Index("uq_credit_entries_booking_reason", "booking_id", "reason", unique=True,
              postgresql_where=db.text("booking_id IS NOT NULL"),
              sqlite_where=db.text("booking_id IS NOT NULL")),
        # A 1:1 session likewise.
        Index("uq_credit_entries_appointment_reason", "appointment_id", "reason", unique=True,
              postgresql_where=db.text("appointment_id IS NOT NULL"),
              sqlite_where=db.text("appointment_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"))
    pass_id: Mapped[int] = mapped_column(ForeignKey("passes.id"), index=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    delta: Mapped[int]
    reason: Mapped[CreditReason] = mapped_column(str_enum(CreditReason, "credit_reason"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PassFreeze(TimestampMixin, db.Model):
    """A membership paused for a range of local days (both included); its end moved by them."""

    __tablename__ = "pass_freezes"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="dates"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"))
    pass_id: Mapped[int] = mapped_column(ForeignKey("passes.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    days: Mapped[int]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    fee_order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    paused_at_stripe: Mapped[bool] = mapped_column(default=False)
