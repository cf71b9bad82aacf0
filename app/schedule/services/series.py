"""Weekly series: making their classes, changing them (the future classes follow, in place, so
their bookings stay), ending and extending them, and keeping a series without an end a number
of weeks ahead (the scheduled job in workers/jobs/schedule.py)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app.core.db import utcnow
from app.core.i18n import local
from app.extensions import db
from app.schedule.errors import SeriesTooLong
from app.schedule.models import ClassType, ScheduledClass, Series
from app.schedule.services.classes import (
    ClassChange,
    Slot,
    check_clashes,
    reschedule_class,
    within_notice,
)
from app.schedule.services.qualifications import check_qualified
from app.studios.models import Location, Studio

MAX_SERIES_DAYS = 366
UTC = ZoneInfo("UTC")


def weeks_ahead() -> int:
    return current_app.config["SERIES_WEEKS_AHEAD"]


def occurrences(series: Series, location: Location, *, first: date | None = None,
                last: date | None = None) -> list[tuple[date, datetime, datetime]]:
    """Local day, start and end (UTC) of each class of the series from `first` to `last`
    (default: its own first and last day).

    Built from the local date and time, so a class at 07:00 stays at 07:00 across DST changes.
    """
    tz = ZoneInfo(location.timezone)
    days = series.weekday_list
    day, last = max(first or series.starts_on, series.starts_on), last or series.ends_on
    if series.ends_on is not None:
        last = min(last, series.ends_on)
    out = []
    while day <= last:
        if day.isoweekday() in days:
            start = datetime.combine(day, series.start_time, tzinfo=tz)
            out.append((day, start.astimezone(UTC),
                        (start + timedelta(minutes=series.duration_minutes)).astimezone(UTC)))
        day += timedelta(days=1)
    return out


def _horizon(series: Series, today: date) -> date:
    """The last day whose classes should exist: the series' own, or some weeks from today."""
    if series.ends_on is not None:
        return series.ends_on
    return max(series.generated_until, today + timedelta(weeks=weeks_ahead()))


def _make_classes(series: Series, days) -> list[ScheduledClass]:
    made = [ScheduledClass(studio_id=series.studio_id, class_type_id=series.class_type_id,
                           series_id=series.id, location_id=series.location_id,
                           room_id=series.room_id, coach_id=series.coach_id, starts_at=start,
                           ends_at=end, capacity=series.capacity)
            for _day, start, end in days]
    db.session.add_all(made)
    return made


def _slots(series: Series, days) -> list[Slot]:
    return [Slot(start, end, series.coach_id, series.room_id) for _day, start, end in days]


def create_series(studio: Studio, *, class_type: ClassType, location: Location, room=None,
                  coach=None, weekdays: list[int], start_time: time,
                  duration_minutes: int | None = None, capacity: int, starts_on: date,
                  ends_on: date | None, now: datetime | None = None) -> Series:
    """Create a weekly series and its classes: all of them, or some weeks ahead without an end.
    The duration is the class type's unless given."""
    if ends_on is not None and (ends_on - starts_on).days > MAX_SERIES_DAYS:
        raise SeriesTooLong()
    series = Series(
        studio_id=studio.id, class_type=class_type, location=location,
        room_id=room.id if room else None, coach=coach,
        weekdays=",".join(str(d) for d in sorted(set(weekdays))), start_time=start_time,
        duration_minutes=duration_minutes or class_type.duration_minutes, capacity=capacity,
        starts_on=starts_on, ends_on=ends_on, generated_until=starts_on - timedelta(days=1),
    )
    db.session.add(series)
    db.session.flush()
    today = local(now or utcnow(), location.timezone).date()
    days = occurrences(series, location, last=_horizon(series, today))
    check_clashes(studio, _slots(series, days))
    check_qualified(studio, class_type.id, series.coach_id, [start for _d, start, _e in days],
                    location.timezone)
    _make_classes(series, days)
    series.generated_until = max(series.generated_until, _horizon(series, today))
    db.session.flush()
    return series


@dataclass
class SeriesUpdate:
    """What changing a series did to its future classes."""

    series: Series
    changed: list[ClassChange] = field(default_factory=list)  # moved or re-staffed in place
    created: list[ScheduledClass] = field(default_factory=list)
    orphans: list[ScheduledClass] = field(default_factory=list)  # no longer in the pattern
    held: list[ScheduledClass] = field(default_factory=list)  # within notice: left as they were


def future_classes(series: Series, now: datetime) -> list[ScheduledClass]:
    """The series' classes that have not started, in order."""
    return db.session.scalars(
        select(ScheduledClass).where(ScheduledClass.series_id == series.id,
                                     ScheduledClass.starts_at > now)
        .order_by(ScheduledClass.starts_at, ScheduledClass.id)).all()


def update_series(studio: Studio, series: Series, *, now: datetime | None = None,
                  **fields) -> SeriesUpdate:
    """Change a series (weekdays, start_time, duration_minutes, coach_id, room_id, capacity,
    ends_on): its classes yet to start follow, each updated in place so its bookings stay;
    days it gains get classes, classes on days it lost are returned as orphans. Classes within
    their type's notice keep their time. The caller (app/bookings/timetable.py) locks the
    classes whose capacity changes, fills spots and tells the people booked."""
    now = now or utcnow()
    coach_before = series.coach_id
    for key, value in fields.items():
        if key == "weekdays":
            value = ",".join(str(d) for d in sorted(set(value)))
        setattr(series, key, value)
    if series.ends_on is not None and (series.ends_on - series.starts_on).days > MAX_SERIES_DAYS:
        raise SeriesTooLong()
    location = db.session.get(Location, series.location_id)
    today = local(now, location.timezone).date()
    existing = future_classes(series, now)
    by_day = {local(c.starts_at, location.timezone).date(): c for c in existing}
    last = _horizon(series, today)
    wanted = [o for o in occurrences(series, location, first=today, last=last) if o[1] > now]
    # A day whose class of the series already started keeps that one: moving 07:00 to 18:30
    # at noon makes no second class today.
    started = {local(at, location.timezone).date() for at in db.session.scalars(
        select(ScheduledClass.starts_at).where(ScheduledClass.series_id == series.id,
                                               ScheduledClass.starts_at <= now,
                                               ScheduledClass.starts_at > now - timedelta(days=1)))}
    update = SeriesUpdate(series)
    moves, fresh = [], []
    for day, start, end in wanted:
        cls = by_day.pop(day, None)
        if cls is None:
            if day not in started:
                fresh.append((day, start, end))
        elif not cls.is_cancelled:
            moves.append((cls, start))
    update.orphans = [c for c in by_day.values() if not c.is_cancelled]
    moving = {c.id for c, _start in moves} | {c.id for c in update.orphans}
    check_clashes(studio, [Slot(start, start + timedelta(minutes=series.duration_minutes),
                                series.coach_id, series.room_id) for _c, start in moves]
                  + _slots(series, fresh), ignore=moving)
    if series.coach_id != coach_before:
        check_qualified(studio, series.class_type_id, series.coach_id,
                        [start for _c, start in moves] + [s for _d, s, _e in fresh],
                        location.timezone)
    for cls, start in moves:
        retimed = (start, series.duration_minutes) != (
            cls.starts_at, int((cls.ends_at - cls.starts_at).total_seconds() // 60))
        if (retimed or series.room_id != cls.room_id) and within_notice(cls, now):
            update.held.append(cls)
            continue
        change = reschedule_class(studio, cls, now=now, starts_at=start,
                                  duration_minutes=series.duration_minutes,
                                  coach_id=series.coach_id, room_id=series.room_id, check=False)
        change.capacity_up = series.capacity > cls.capacity
        cls.capacity = series.capacity
        update.changed.append(change)
    update.created = _make_classes(series, fresh)
    series.generated_until = max(last, series.starts_on - timedelta(days=1))
    db.session.flush()
    return update


def extend_open_series(now: datetime | None = None) -> int:
    """Make the classes of every series without an end up to the configured weeks ahead
    (each series locked and skipped while someone else holds it; safe to run twice).
    Returns how many classes it made."""
    now = now or utcnow()
    made = 0
    open_series = db.session.scalars(
        select(Series).where(Series.ends_on.is_(None),
                             Series.generated_until < now.date() + timedelta(weeks=weeks_ahead()))
        .with_for_update(skip_locked=True).order_by(Series.id)).all()
    for series in open_series:
        location = db.session.get(Location, series.location_id)
        target = local(now, location.timezone).date() + timedelta(weeks=weeks_ahead())
        if target <= series.generated_until:
            continue
        days = [o for o in occurrences(series, location,
                                       first=series.generated_until + timedelta(days=1),
                                       last=target) if o[1] > now]
        made += len(_make_classes(series, days))
        series.generated_until = target
    db.session.flush()
    return made
