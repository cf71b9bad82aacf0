"""Schedule use cases: class types, series that create classes, cancelling a class."""

from datetime import date, datetime, timedelta

from app.core.i18n import local
from app.extensions import db
from app.schedule.errors import SeriesTooLong
from app.schedule.models import ClassType, ScheduledClass, Series
from app.studios.models import Location, Studio

MAX_SERIES_DAYS = 366


def save_class_type(studio: Studio, class_type: ClassType | None = None, **fields) -> ClassType:
    """Create or update a class type; names and descriptions are {lang: text} maps."""
    if class_type is None:
        class_type = ClassType(studio_id=studio.id)
        db.session.add(class_type)
    for key in ("name", "description", "duration_minutes", "color"):
        if key in fields:
            setattr(class_type, key, fields[key])
    db.session.flush()
    return class_type


def occurrences(series: Series, location: Location) -> list[tuple[datetime, datetime]]:
    """Start and end (UTC) of every class in the series, on local wall-clock time.

    Built from the local date and time, so a class at 07:00 stays at 07:00 across DST changes.
    """
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(location.timezone)
    days = series.weekday_list
    out = []
    day = series.starts_on
    while day <= series.ends_on:
        if day.isoweekday() in days:
            start = datetime.combine(day, series.start_time, tzinfo=tz)
            out.append((start.astimezone(ZoneInfo("UTC")),
                        (start + timedelta(minutes=series.duration_minutes))
                        .astimezone(ZoneInfo("UTC"))))
        day += timedelta(days=1)
    return out


def create_series(studio: Studio, *, class_type: ClassType, location: Location, room=None,
                  coach=None, weekdays: list[int], start_time, duration_minutes: int,
                  capacity: int, starts_on: date, ends_on: date) -> Series:
    """Create a weekly series and every class it holds."""
    if (ends_on - starts_on).days > MAX_SERIES_DAYS:
        raise SeriesTooLong()
    series = Series(
        studio_id=studio.id, class_type=class_type, location=location,
        room_id=room.id if room else None, coach=coach,
        weekdays=",".join(str(d) for d in sorted(set(weekdays))), start_time=start_time,
        duration_minutes=duration_minutes, capacity=capacity, starts_on=starts_on, ends_on=ends_on,
    )
    db.session.add(series)
    db.session.flush()
    db.session.add_all(
        ScheduledClass(studio_id=studio.id, class_type_id=class_type.id, series_id=series.id,
                       location_id=location.id, room_id=series.room_id,
                       coach_id=coach.id if coach else None, starts_at=start, ends_at=end,
                       capacity=capacity)
        for start, end in occurrences(series, location)
    )
    db.session.flush()
    return series


def local_day(dt: datetime, tz: str) -> date:
    return local(dt, tz).date()
