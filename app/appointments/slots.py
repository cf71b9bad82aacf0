"""Free slots of a coach: weekly availability and extra hours on given days (wall-clock time in
the location's zone) minus time off, busy times in the coach's own calendar (read back by
app/calendars), the coach's classes and appointments (each kept apart by the session type's
buffer), inside the studio's booking window.

Wall-clock times become UTC one day at a time through zoneinfo, so a 07:00 window stays at
07:00 local on both sides of a daylight-saving change.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.appointments.models import HOLDS_TIME, Appointment, Availability, ExternalBusy, TimeOff
from app.core.db import one_of
from app.extensions import db
from app.schedule.models import ClassStatus, ScheduledClass

STEP = timedelta(minutes=15)

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class WeeklyWindow:
    weekday: int  # ISO, Monday = 1
    starts: time
    ends: time
    timezone: str
    on_date: date | None = None  # extra hours on this day only

    def applies(self, day: date) -> bool:
        return self.on_date == day if self.on_date else self.weekday == day.isoweekday()


def local_windows(pattern: Iterable[WeeklyWindow], day_from: date, day_to: date) -> list[Interval]:
    """The weekly pattern laid on local days `day_from`..`day_to` (inclusive), as UTC intervals."""
    out = []
    day = day_from
    while day <= day_to:
        for w in pattern:
            if w.applies(day):
                zone = ZoneInfo(w.timezone)
                start = datetime.combine(day, w.starts, tzinfo=zone).astimezone(UTC)
                end = datetime.combine(day, w.ends, tzinfo=zone).astimezone(UTC)
                if end > start:
                    out.append((start, end))
        day += timedelta(days=1)
    return sorted(out)


def overlaps(a: Interval, b: Interval) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def compute_slots(windows: Iterable[Interval], blocked: Iterable[Interval],
                  padded: Iterable[Interval],
                  *, duration: timedelta, buffer: timedelta, earliest: datetime, latest: datetime,
                  step: timedelta = STEP) -> list[datetime]:
    """Start times inside `windows` at `step` that leave `duration` free.

    `blocked` (time off) must not overlap the session; `padded` (classes, appointments) must
    stay `buffer` away from it. Starts lie in [earliest, latest].
    """
    blocked = list(blocked)
    padded = [(s - buffer, e + buffer) for s, e in padded]
    starts = []
    for win_start, win_end in windows:
        start = win_start
        while start + duration <= win_end:
            session = (start, start + duration)
            if (earliest <= start <= latest
                    and not any(overlaps(session, b) for b in blocked)
                    and not any(overlaps(session, p) for p in padded)):
                starts.append(start)
            start += step
    return sorted(set(starts))


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    location_id: int
    timezone: str


def free_slots(studio, coach, session_type, day_from: date, day_to: date,
               now: datetime, skip: int | None = None) -> list[Slot]:
    """Bookable slots of `session_type` with `coach` on local days `day_from`..`day_to`
    (`skip`: an appointment that does not count as busy, the one being moved)."""
    availabilities = db.session.scalars(
        select(Availability).where(Availability.studio_id == studio.id,
                                   Availability.coach_id == coach.id)
    ).all()
    if not availabilities:
        return []
    duration = timedelta(minutes=session_type.duration_minutes)
    buffer = timedelta(minutes=session_type.buffer_minutes)
    slots: dict[datetime, Slot] = {}
    for location_id in sorted({a.location_id for a in availabilities}):
        mine = [a for a in availabilities if a.location_id == location_id]
        tz = mine[0].location.timezone
        windows = local_windows(
            [WeeklyWindow(a.weekday, a.starts_at_local, a.ends_at_local, tz, a.on_date)
             for a in mine],
            day_from, day_to)
        if not windows:
            continue
        lo, hi = windows[0][0] - buffer, windows[-1][1] + buffer
        blocked, padded = busy_intervals(coach, lo, hi, skip)
        starts = compute_slots(
            windows, blocked, padded, duration=duration, buffer=buffer,
            earliest=max(now + timedelta(minutes=studio.booking_closes_minutes),
                         now + timedelta(seconds=1)),
            latest=now + timedelta(days=studio.booking_opens_days))
        for s in starts:
            slots.setdefault(s, Slot(s, s + duration, location_id, tz))
    return [slots[k] for k in sorted(slots)]


def busy_intervals(coach, lo: datetime, hi: datetime,
                   skip: int | None = None) -> tuple[list[Interval], list[Interval]]:
    """(time off and busy times in their own calendar, classes and active appointments) of
    the coach overlapping [lo, hi), any studio."""
    time_off = db.session.execute(
        select(TimeOff.starts_at, TimeOff.ends_at)
        .where(TimeOff.coach_id == coach.id, TimeOff.starts_at < hi, TimeOff.ends_at > lo)
        .union_all(select(ExternalBusy.starts_at, ExternalBusy.ends_at)
                   .where(ExternalBusy.coach_id == coach.id, ExternalBusy.starts_at < hi,
                          ExternalBusy.ends_at > lo))
    ).all()
    classes = db.session.execute(
        select(ScheduledClass.starts_at, ScheduledClass.ends_at)
        .where(ScheduledClass.coach_id == coach.id, ScheduledClass.status == ClassStatus.SCHEDULED,
               ScheduledClass.starts_at < hi, ScheduledClass.ends_at > lo)
    ).all()
    appointments = db.session.execute(
        select(Appointment.starts_at, Appointment.ends_at)
        .where(Appointment.coach_id == coach.id, one_of(Appointment.status, HOLDS_TIME),
               Appointment.starts_at < hi, Appointment.ends_at > lo,
               Appointment.id != (skip or 0))
    ).all()
    return ([tuple(r) for r in time_off],
            [tuple(r) for r in classes] + [tuple(r) for r in appointments])
