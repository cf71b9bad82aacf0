"""One class: placing a one-off class or event, moving it, a substitute coach; and the rule
that a coach teaches, and a room holds, one class at a time (checked under a transaction
advisory lock per coach and per room, so two staff placing classes at once cannot both pass)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, text
from sqlalchemy.orm import joinedload

from app.core.db import bounded_wait, is_postgresql
from app.core.i18n import format_day, format_time, translated
from app.extensions import db
from app.schedule.errors import ClassOver, CoachBusy, NoticeTooShort, RoomBusy, ScheduleBusy
from app.schedule.models import ClassStatus, ClassType, ScheduledClass
from app.schedule.services.qualifications import check_qualified
from app.studios.models import Location, Studio

# First keys of pg_advisory_xact_lock(int, int), apart from the appointments' coach lock (7001).
COACH_TIMETABLE_LOCK = 7101
ROOM_TIMETABLE_LOCK = 7102
_LOCK = text("SELECT pg_advisory_xact_lock(:ns, :id)")


@dataclass(frozen=True)
class Slot:
    """Where and with whom a class would be: what the clash checks compare."""

    starts_at: datetime
    ends_at: datetime
    coach_id: int | None
    room_id: int | None


@dataclass
class ClassChange:
    """What changed on one class, for the people booked in it."""

    cls: ScheduledClass
    time: bool = False
    place: bool = False
    coach: bool = False
    capacity_up: bool = False

    @property
    def tell_customers(self) -> bool:
        return self.time or self.place or self.coach


def class_when(cls: ScheduledClass) -> str:
    """A class's day and time in its location's zone, as messages name it ("Mon, Dec 7 07:00")."""
    return f"{format_day(cls.starts_at, cls.timezone)} {format_time(cls.starts_at, cls.timezone)}"


def _lock_timetables(slots: list[Slot]) -> None:
    if not is_postgresql():
        return
    keys = sorted({(COACH_TIMETABLE_LOCK, s.coach_id) for s in slots if s.coach_id}
                  | {(ROOM_TIMETABLE_LOCK, s.room_id) for s in slots if s.room_id})
    with bounded_wait(current_app.config["BOOKING_LOCK_TIMEOUT_MS"], ScheduleBusy):
        for ns, row_id in keys:
            db.session.execute(_LOCK, {"ns": ns, "id": row_id})


def check_clashes(studio: Studio, slots: list[Slot], *, ignore: set[int] = frozenset()) -> None:
    """Raise CoachBusy or RoomBusy naming a scheduled class of the studio that overlaps one of
    `slots` with the same coach or room (classes in `ignore` are the ones being moved)."""
    slots = [s for s in slots if s.coach_id or s.room_id]
    if not slots:
        return
    _lock_timetables(slots)
    coaches = {s.coach_id for s in slots if s.coach_id}
    rooms = {s.room_id for s in slots if s.room_id}
    query = (select(ScheduledClass)
             .where(ScheduledClass.studio_id == studio.id,
                    ScheduledClass.status == ClassStatus.SCHEDULED,
                    ScheduledClass.starts_at < max(s.ends_at for s in slots),
                    ScheduledClass.ends_at > min(s.starts_at for s in slots),
                    or_(ScheduledClass.coach_id.in_(coaches), ScheduledClass.room_id.in_(rooms)))
             .options(joinedload(ScheduledClass.coach), joinedload(ScheduledClass.room))
             .order_by(ScheduledClass.starts_at))
    if ignore:
        query = query.where(ScheduledClass.id.not_in(ignore))
    others = db.session.scalars(query).unique().all()
    lang = studio.default_language
    for slot in slots:
        for other in others:
            if not (other.starts_at < slot.ends_at and slot.starts_at < other.ends_at):
                continue
            named = {"name": translated(other.class_type.name, lang),
                     "when": class_when(other)}
            if slot.coach_id and other.coach_id == slot.coach_id:
                raise CoachBusy(coach=other.coach.name, **named)
            if slot.room_id and other.room_id == slot.room_id:
                raise RoomBusy(room=translated(other.room.name, lang), **named)


def create_class(studio: Studio, *, class_type: ClassType, location: Location, room=None,
                 coach=None, starts_at: datetime, duration_minutes: int | None = None,
                 capacity: int, plan_ids: list[int] = ()) -> ScheduledClass:
    """Place a one-off class or event (duration: the class type's unless given; `plan_ids`:
    the only plans it accepts, none for any plan covering its type)."""
    ends_at = starts_at + timedelta(minutes=duration_minutes or class_type.duration_minutes)
    check_clashes(studio, [Slot(starts_at, ends_at, coach.id if coach else None,
                                room.id if room else None)])
    check_qualified(studio, class_type.id, coach.id if coach else None, [starts_at],
                    location.timezone)
    cls = ScheduledClass(studio_id=studio.id, class_type_id=class_type.id,
                         location_id=location.id, room_id=room.id if room else None,
                         coach_id=coach.id if coach else None, starts_at=starts_at,
                         ends_at=ends_at, capacity=capacity, plan_ids=sorted(set(plan_ids)))
    db.session.add(cls)
    db.session.flush()
    return cls


def within_notice(cls: ScheduledClass, now: datetime) -> bool:
    """Whether `cls` starts sooner than its class type's notice for changes."""
    hours = cls.class_type.change_notice_hours
    return bool(hours) and cls.starts_at - now < timedelta(hours=hours)


def reschedule_class(studio: Studio, cls: ScheduledClass, *, now: datetime,
                     starts_at: datetime | None = None, duration_minutes: int | None = None,
                     coach_id: int | None | bool = False, room_id: int | None | bool = False,
                     location_id: int | None = None, ignore: set[int] = frozenset(),
                     check: bool = True) -> ClassChange:
    """Move `cls` and/or give it another coach or room (False: unchanged). A new time or place
    needs the class type's notice; a substitute coach does not (a coach falls ill the same
    morning). The caller holds the class lock and deals with the bookings."""
    if cls.has_started(now):
        raise ClassOver()
    start = starts_at or cls.starts_at
    minutes = duration_minutes or int((cls.ends_at - cls.starts_at).total_seconds() // 60)
    end = start + timedelta(minutes=minutes)
    coach = cls.coach_id if coach_id is False else coach_id
    room = cls.room_id if room_id is False else room_id
    change = ClassChange(cls, time=(start, end) != (cls.starts_at, cls.ends_at),
                         place=(room != cls.room_id
                                or (location_id is not None and location_id != cls.location_id)),
                         coach=coach != cls.coach_id)
    if (change.time or change.place) and within_notice(cls, now):
        raise NoticeTooShort(name=translated(cls.class_type.name, studio.default_language),
                             hours=cls.class_type.change_notice_hours)
    if check and (change.time or change.place or change.coach):
        check_clashes(studio, [Slot(start, end, coach, room)], ignore={cls.id, *ignore})
    if change.coach:  # a substitute, or a series' new coach
        check_qualified(studio, cls.class_type_id, coach, [start], cls.timezone)
    cls.starts_at, cls.ends_at, cls.coach_id, cls.room_id = start, end, coach, room
    if location_id is not None:
        cls.location_id = location_id
    db.session.flush()
    db.session.expire(cls, ["coach", "room", "location"])  # follow the new ids when read
    return change
