import enum
from datetime import date, datetime, time

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin, UTCDateTime, str_enum
from app.core.revisions import Revised
from app.extensions import db
from app.studios.models import WaitlistMode

# A class type's own policies, each None for the studio's default (app/bookings/services/rules.py
# resolves them). Fees are minor units in the studio's currency, as the studio's own are.
POLICY_FIELDS = ("booking_opens_days", "booking_closes_minutes", "cancel_cutoff_minutes",
                 "late_cancel_fee_minor", "no_show_fee_minor", "waitlist_mode",
                 "offer_hold_minutes", "waitlist_cutoff_minutes", "free_late_cancels",
                 "auto_waive_late_cancel", "max_upcoming_bookings")


class ClassType(TimestampMixin, db.Model):
    __tablename__ = "class_types"
    __table_args__ = tuple(
        CheckConstraint(f"{name} IS NULL OR {name} {op} 0", name=f"policy_{short}")
        for name, op, short in (
            ("booking_opens_days", ">=", "opens"), ("booking_closes_minutes", ">=", "closes"),
            ("cancel_cutoff_minutes", ">=", "cutoff"), ("late_cancel_fee_minor", ">=", "late_fee"),
            ("no_show_fee_minor", ">=", "no_show_fee"), ("offer_hold_minutes", ">", "hold"),
            ("waitlist_cutoff_minutes", ">=", "waitlist_cutoff"),
            ("free_late_cancels", ">=", "forgiven"), ("max_upcoming_bookings", ">", "cap")))

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    name: Mapped[dict] = mapped_column(JSON, default=dict)
    description: Mapped[dict] = mapped_column(JSON, default=dict)
    duration_minutes: Mapped[int] = mapped_column(default=60)
    color: Mapped[str] = mapped_column(String(7), default="#0f766e")
    # Changes to a class's time or place need this much notice (0: any time before it starts).
    change_notice_hours: Mapped[int] = mapped_column(default=0, server_default="0")
    # Policies (POLICY_FIELDS): None takes the studio's.
    booking_opens_days: Mapped[int | None]
    booking_closes_minutes: Mapped[int | None]
    cancel_cutoff_minutes: Mapped[int | None]
    late_cancel_fee_minor: Mapped[int | None]
    no_show_fee_minor: Mapped[int | None]
    waitlist_mode: Mapped[WaitlistMode | None] = mapped_column(
        str_enum(WaitlistMode, "class_type_waitlist_mode"))
    offer_hold_minutes: Mapped[int | None]
    waitlist_cutoff_minutes: Mapped[int | None]
    free_late_cancels: Mapped[int | None]
    auto_waive_late_cancel: Mapped[bool | None]
    # Lower than the studio's cap only (the form refuses more; the rule takes the smaller).
    max_upcoming_bookings: Mapped[int | None]


class Series(TimestampMixin, db.Model):
    """A weekly recurrence that creates classes from a first day to a last one, or with no end
    (classes made a number of weeks ahead by a scheduled job), in the location's zone."""

    __tablename__ = "series"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity"),
        CheckConstraint("duration_minutes > 0", name="duration"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates"),
        CheckConstraint("generated_until >= starts_on - 1", name="generated"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    class_type_id: Mapped[int] = mapped_column(ForeignKey("class_types.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    weekdays: Mapped[str] = mapped_column(String(13))  # ISO weekdays "1,3,5" (Mon=1)
    start_time: Mapped[time] = mapped_column(Time)
    duration_minutes: Mapped[int]
    capacity: Mapped[int]
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)  # None: no end
    # The last local day its classes are made up to (the day before the first when none yet).
    generated_until: Mapped[date] = mapped_column(Date)

    class_type: Mapped[ClassType] = relationship()
    location = relationship("Location")
    coach = relationship("User")

    @property
    def weekday_list(self) -> list[int]:
        return [int(d) for d in self.weekdays.split(",") if d]

    @property
    def is_open(self) -> bool:
        return self.ends_on is None


class ClassStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class ClassTimes:
    """What a class's status and start say, for the model and for the rows the week page reads
    (app/schedule/queries.py: ClassRow)."""

    __slots__ = ()

    @property
    def is_cancelled(self) -> bool:
        return self.status == ClassStatus.CANCELLED

    def has_started(self, now: datetime) -> bool:
        return now >= self.starts_at


class ScheduledClass(ClassTimes, Revised, TimestampMixin, db.Model):
    """One occurrence of a class: a time, a place, a coach and a capacity."""

    __tablename__ = "classes"
    __revised__ = ("starts_at", "ends_at", "location_id", "room_id", "coach_id", "status",
                   "class_type_id")
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity"),
        CheckConstraint("ends_at > starts_at", name="times"),
        CheckConstraint("spots_taken >= 0", name="spots_taken"),
        Index("ix_classes_studio_starts", "studio_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"))
    class_type_id: Mapped[int] = mapped_column(ForeignKey("class_types.id"))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int]
    status: Mapped[ClassStatus] = mapped_column(
        str_enum(ClassStatus, "class_status"), default=ClassStatus.SCHEDULED
    )
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The plans whose passes pay for this class (an event's own); empty: any plan covering its
    # type.
    plan_ids: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    # Bookings holding a spot, kept by a trigger on bookings (migration 0013) in the
    # transaction that changes them, never by the app. Read in a statement's columns: an
    # instance's copy would not see the bookings the session inserted after loading it.
    spots_taken: Mapped[int] = mapped_column(default=0, server_default="0",
                                             deferred=True, deferred_raiseload=True)
    # The class's bookings per status, for the reports, kept by the same trigger (migration
    # 0044) and read the same way: lapsed counts offers cancelled because they expired,
    # cancelled the other cancellations.
    confirmed_count: Mapped[int] = mapped_column(server_default="0", deferred=True,
                                                 deferred_raiseload=True)
    offered_count: Mapped[int] = mapped_column(server_default="0", deferred=True,
                                               deferred_raiseload=True)
    waitlisted_count: Mapped[int] = mapped_column(server_default="0", deferred=True,
                                                  deferred_raiseload=True)
    attended_count: Mapped[int] = mapped_column(server_default="0", deferred=True,
                                                deferred_raiseload=True)
    no_show_count: Mapped[int] = mapped_column(server_default="0", deferred=True,
                                               deferred_raiseload=True)
    late_cancelled_count: Mapped[int] = mapped_column(server_default="0", deferred=True,
                                                      deferred_raiseload=True)
    cancelled_count: Mapped[int] = mapped_column(server_default="0", deferred=True,
                                                 deferred_raiseload=True)
    lapsed_count: Mapped[int] = mapped_column(server_default="0", deferred=True,
                                              deferred_raiseload=True)

    class_type: Mapped[ClassType] = relationship(lazy="joined", innerjoin=True)
    location = relationship("Location", lazy="joined", innerjoin=True)
    room = relationship("Room")
    coach = relationship("User")
    studio = relationship("Studio")

    @property
    def timezone(self) -> str:
        return self.location.timezone
