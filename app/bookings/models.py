import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin, UTCDateTime, str_enum
from app.core.revisions import Revised
from app.extensions import db


class BookingStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    OFFERED = "offered"
    CANCELLED = "cancelled"
    LATE_CANCELLED = "late_cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


# A customer holds at most one of these per class (partial unique index below).
ACTIVE = (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED, BookingStatus.OFFERED,
          BookingStatus.ATTENDED, BookingStatus.NO_SHOW)
# These occupy a spot (an offer holds its spot until claimed or expired).
HOLDS_SPOT = (BookingStatus.CONFIRMED, BookingStatus.OFFERED, BookingStatus.ATTENDED,
              BookingStatus.NO_SHOW)


class CancelReason(enum.StrEnum):
    CUSTOMER = "customer"
    STAFF = "staff"
    CLASS_CANCELLED = "class_cancelled"
    OFFER_EXPIRED = "offer_expired"


# Upcoming bookings a customer holds, for the studio's cap on them.
UPCOMING = (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED, BookingStatus.OFFERED)


class LateWaiver(enum.StrEnum):
    """Why a policy gave a late cancel's cost back."""

    FORGIVEN = "forgiven"  # one of the customer's free late cancels in 30 days
    REFILLED = "refilled"  # someone from the waitlist took the spot


# ACTIVE as SQL: the partial unique index's condition, which ON CONFLICT names to use it.
ACTIVE_SQL = f"status IN ({', '.join(repr(status.value) for status in ACTIVE)})"


class Booking(Revised, TimestampMixin, db.Model):
    __tablename__ = "bookings"
    __revised__ = ("status", "class_id")
    __table_args__ = (
        Index("uq_bookings_active_customer", "class_id", "customer_id", unique=True,
              postgresql_where=db.text(ACTIVE_SQL), sqlite_where=db.text(ACTIVE_SQL)),
        Index("ix_bookings_class_status", "class_id", "status"),
        Index("ix_bookings_customer_created", "customer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[BookingStatus] = mapped_column(str_enum(BookingStatus, "booking_status"))
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[CancelReason | None] = mapped_column(
        str_enum(CancelReason, "cancel_reason")
    )
    note: Mapped[str] = mapped_column(String(255), default="")
    # A late cancel whose cost a policy gave back (forgiven, or its spot filled from the
    # waitlist): when, and why (rules.LateWaiver). None: it cost what a late cancel costs.
    late_waived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    late_waiver: Mapped[str | None] = mapped_column(String(20))

    scheduled_class = relationship("ScheduledClass")
    customer = relationship("User", foreign_keys=[customer_id])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def is_waiting(self) -> bool:
        return self.status == BookingStatus.WAITLISTED

    def offer_open(self, now: datetime) -> bool:
        return self.status == BookingStatus.OFFERED and self.offer_expires_at > now
