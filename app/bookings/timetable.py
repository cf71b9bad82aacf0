"""The timetable changed under bookings: a series or one class moved, re-staffed or resized.

The schedule domain places and moves classes (app/schedule/services/); this module does what
that means for the people booked: a class's capacity changes under its lock (lowering it below
the spots taken is refused with the count, raising it fills spots from the waitlist at once),
classes a series no longer has are removed only when nobody ever booked them, and everyone
booked in a class whose time, place or coach changed is told after the commit.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from app.bookings.errors import CapacityBelowBooked
from app.bookings.models import ACTIVE, Booking
from app.bookings.services import fill_spots, lock_class
from app.core.db import one_of, utcnow
from app.core.i18n import translated
from app.core.jobs import enqueue_after_commit
from app.extensions import db
from app.schedule import services as schedule
from app.schedule.errors import AlreadyCancelled
from app.schedule.models import ScheduledClass, Series
from app.studios.models import Studio


@dataclass
class TimetableChange:
    """What a change did, for the message staff read afterwards."""

    changed: int = 0
    created: int = 0
    removed: int = 0
    told: int = 0
    kept: list[ScheduledClass] = field(default_factory=list)  # dropped days that have bookings
    held: list[ScheduledClass] = field(default_factory=list)  # within notice


def _active_bookings(class_ids: list[int]) -> list[Booking]:
    if not class_ids:
        return []
    return db.session.scalars(
        select(Booking).where(Booking.class_id.in_(class_ids), one_of(Booking.status, ACTIVE))
        .order_by(Booking.id)).all()


def tell_booked(changes) -> int:
    """Queue the "your class changed" e-mail to everyone booked in each class whose time,
    place or coach changed; each e-mail is sent once per booking and resulting class state."""
    told = {c.cls.id: c.cls for c in changes if c.tell_customers}
    bookings = _active_bookings(list(told))
    for booking in bookings:
        cls = told[booking.class_id]
        stamp = f"{cls.starts_at.isoformat()}:{cls.coach_id}:{cls.location_id}:{cls.room_id}"
        enqueue_after_commit("workers.jobs.notifications.send_class_changed", booking.id, stamp,
                             queue="notifications")
    return len(bookings)


def _resize(studio: Studio, cls: ScheduledClass, capacity: int) -> int:
    """Lock `cls` and check `capacity` covers its spots taken (CapacityBelowBooked otherwise);
    returns the spots taken."""
    taken = lock_class(cls)
    if capacity < taken:
        raise CapacityBelowBooked(
            count=taken, name=translated(cls.class_type.name, studio.default_language),
            when=schedule.class_when(cls))
    return taken


def change_class(studio: Studio, cls: ScheduledClass, *, actor, now: datetime | None = None,
                 starts_at: datetime, duration_minutes: int, coach_id: int | None,
                 capacity: int, room_id: int | None | bool = False) -> TimetableChange:
    """Edit one class: a new time (needs the type's notice), a substitute coach, another room
    or capacity. People booked are told of a new time, place or coach; more spots go to the
    waitlist."""
    now = now or utcnow()
    taken = _resize(studio, cls, capacity)
    if cls.is_cancelled:
        raise AlreadyCancelled()
    change = schedule.reschedule_class(studio, cls, now=now, starts_at=starts_at,
                                       duration_minutes=duration_minutes, coach_id=coach_id,
                                       room_id=room_id)
    change.capacity_up = capacity > cls.capacity
    cls.capacity = capacity
    db.session.flush()
    if change.capacity_up:
        fill_spots(studio, cls, now=now, taken=taken)
    return TimetableChange(changed=1, told=tell_booked([change]))


def _has_bookings(class_ids: list[int]) -> set[int]:
    if not class_ids:
        return set()
    return set(db.session.scalars(select(Booking.class_id).where(Booking.class_id.in_(class_ids))
                                  .distinct()))


def change_series(studio: Studio, series: Series, *, actor, now: datetime | None = None,
                  **fields) -> TimetableChange:
    """Change a series; its classes yet to start follow (see schedule.update_series). A capacity
    below what a class has booked is refused, naming the class and its count."""
    now = now or utcnow()
    if "capacity" in fields and fields["capacity"] != series.capacity:
        for cls in schedule.future_classes(series, now):
            if not cls.is_cancelled:
                _resize(studio, cls, fields["capacity"])
    update = schedule.update_series(studio, series, now=now, **fields)
    booked = _has_bookings([c.id for c in update.orphans])
    gone = [c for c in update.orphans if c.id not in booked]
    for cls in gone:
        db.session.delete(cls)
    db.session.flush()
    for change in update.changed:
        if change.capacity_up:
            fill_spots(studio, change.cls, now=now)
    return TimetableChange(changed=len(update.changed), created=len(update.created),
                           removed=len(gone), told=tell_booked(update.changed),
                           kept=[c for c in update.orphans if c.id in booked], held=update.held)
