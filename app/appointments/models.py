"""Tables for 1:1 sessions. On PostgreSQL an exclusion constraint keeps a coach's active
appointments from overlapping (the last line behind the per-coach lock in services)."""

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Time,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin, UTCDateTime, str_enum
from app.core.revisions import Revised
from app.extensions import db
from app.schedule.models import ClassType


class SessionType(TimestampMixin, db.Model):
    """A kind of 1:1 session a studio sells: how long, the gap kept around it, what pays for
    it (a price, and/or the credits of the plans in `plan_ids`) and its late-cancel policy: a
    cutoff (None: the studio's) after which a credit is kept and the fee, if any, is owed."""

    __tablename__ = "session_types"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="duration"),
        CheckConstraint("buffer_minutes >= 0", name="buffer"),
        CheckConstraint("price_minor >= 0", name="price"),
        CheckConstraint("late_cancel_fee_minor >= 0", name="late_fee"),
        CheckConstraint("cancel_cutoff_minutes IS NULL OR cancel_cutoff_minutes >= 0",
                        name="cutoff"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    name: Mapped[dict] = mapped_column(JSON, default=dict)
    duration_minutes: Mapped[int] = mapped_column(default=60)
    buffer_minutes: Mapped[int] = mapped_column(default=0)
    price_minor: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3))
    active: Mapped[bool] = mapped_column(default=True)
    plan_ids: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    cancel_cutoff_minutes: Mapped[int | None]
    late_cancel_fee_minor: Mapped[int] = mapped_column(default=0, server_default="0")

    @property
    def is_free(self) -> bool:
        """Nothing pays for it because nothing is asked: no price and no plan."""
        return self.price_minor == 0 and not self.plan_ids


class Availability(TimestampMixin, db.Model):
    """A window in which a coach takes sessions, in the location's wall-clock time: every week
    on `weekday`, or only on `on_date` (extra hours on one day; `weekday` is then that day's)."""

    __tablename__ = "availabilities"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday"),
        CheckConstraint("ends_at_local > starts_at_local", name="times"),
        Index("ix_availabilities_studio_coach", "studio_id", "coach_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"))
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    weekday: Mapped[int]  # ISO weekday, Monday = 1
    starts_at_local: Mapped[time] = mapped_column(Time)
    ends_at_local: Mapped[time] = mapped_column(Time)
    on_date: Mapped[date | None] = mapped_column()

    location = relationship("Location", lazy="joined", innerjoin=True)


class TimeOff(TimestampMixin, db.Model):
    """A stretch in which the coach takes no sessions (holiday, sick day), in UTC."""

    __tablename__ = "time_off"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="times"),
        Index("ix_time_off_coach_starts", "coach_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200), default="")


class AppointmentStatus(enum.StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    LATE_CANCELLED = "late_cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


#: Statuses that keep the coach's time taken.
HOLDS_TIME = (AppointmentStatus.BOOKED, AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW)
_HOLDS_TIME_SQL = "status IN ('booked', 'attended', 'no_show')"


class Appointment(Revised, TimestampMixin, db.Model):
    """One 1:1 session of a customer with a coach."""

    __tablename__ = "appointments"
    __revised__ = ("starts_at", "ends_at", "status", "location_id", "coach_id",
                   "session_type_id")
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="times"),
        # Two active appointments of one coach can never overlap, whatever the application does.
        ExcludeConstraint(
            (text("coach_id"), "="),
            (func.tstzrange(text("starts_at"), text("ends_at"), "[)"), "&&"),
            name="ex_appointments_coach_overlap", using="gist",
            where=text(_HOLDS_TIME_SQL),
        ),
        Index("ix_appointments_coach_starts", "coach_id", "starts_at"),
        Index("ix_appointments_customer_starts", "customer_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    session_type_id: Mapped[int] = mapped_column(ForeignKey("session_types.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[AppointmentStatus] = mapped_column(
        str_enum(AppointmentStatus, "appointment_status"), default=AppointmentStatus.BOOKED
    )
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session_type: Mapped[SessionType] = relationship(lazy="joined", innerjoin=True)
    location = relationship("Location", lazy="joined", innerjoin=True)
    coach = relationship("User", foreign_keys=[coach_id])
    customer = relationship("User", foreign_keys=[customer_id])
    studio = relationship("Studio")

    released = None  # after cancel_appointment: what happened to what paid (entitlements.py)

    @property
    def timezone(self) -> str:
        return self.location.timezone

    @property
    def is_active(self) -> bool:
        return self.status in HOLDS_TIME


# What a coach teaches: class types of the coach's studio (both rows of one studio; the form
# offers only the studio's own types).
coach_class_types = db.Table(
    "coach_class_types",
    db.Column("profile_id", ForeignKey("coach_profiles.id", ondelete="CASCADE"),
              primary_key=True),
    db.Column("class_type_id", ForeignKey("class_types.id", ondelete="CASCADE"),
              primary_key=True),
)


class CoachProfile(TimestampMixin, db.Model):
    """A coach's page in a studio's coach directory: a photo (checked and cleaned on upload,
    served from our own origin under a URL naming its version, as the studio logo is), a bio
    in Arabic and English, and the class types they teach. Edited by the coach and managers."""

    __tablename__ = "coach_profiles"
    __table_args__ = (UniqueConstraint("studio_id", "coach_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    bio: Mapped[dict] = mapped_column(JSON, default=dict)
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    photo_type: Mapped[str] = mapped_column(String(32), default="")
    photo_version: Mapped[str] = mapped_column(String(16), default="")

    teaches: Mapped[list[ClassType]] = relationship(secondary=coach_class_types,
                                                    order_by=ClassType.id)


class ExternalBusy(db.Model):
    """A stretch in which a coach is busy in their own calendar (read back by calendar sync,
    app/calendars/sync.py): 1:1 slots skip it like time off. The person's, in every studio."""

    __tablename__ = "external_busy"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="times"),
        Index("ix_external_busy_coach_starts", "coach_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
