"""Loaders and read helpers for the schedule."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from babel.dates import get_timezone_location
from flask import abort
from flask_babel import gettext as _
from sqlalchemy import Integer, Select, bindparam, literal, null, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import User
from app.core.db import get_in_studio_or_404
from app.core.i18n import current_language, format_time, translated
from app.extensions import db
from app.schedule.models import ClassStatus, ClassTimes, ClassType, ScheduledClass, Series
from app.studios.models import Studio
from app.studios.queries import coaches_of, entered


def get_class_or_404(studio: Studio, class_id: int) -> ScheduledClass:
    """A class of this studio (with its type and location); another studio's class is a 404.
    Its coach and room load when read (the class page does; the booking actions do not)."""
    cls = db.session.scalar(
        select(ScheduledClass).where(ScheduledClass.id == class_id,
                                     ScheduledClass.studio_id == studio.id)
    )
    if cls is None:
        abort(404)
    return cls


_STUDIO_CLASS = (select(Studio, ScheduledClass)
                 .join(ScheduledClass, ScheduledClass.studio_id == Studio.id)
                 .where(Studio.slug == bindparam("slug"),
                        ScheduledClass.id == bindparam("class_id"))
                 .options(joinedload(ScheduledClass.room), joinedload(ScheduledClass.coach)))


def get_studio_class_or_404(slug: str, class_id: int) -> tuple[Studio, ScheduledClass]:
    """The studio with this slug and one of its classes, in one statement: the class with
    everything its page shows (type, location, room, coach); either missing is a 404."""
    row = db.session.execute(_STUDIO_CLASS, {"slug": slug, "class_id": class_id}).one_or_none()
    if row is None:
        abort(404)
    return entered(row[0]), row[1]


def get_series_or_404(studio: Studio, series_id: int) -> Series:
    return get_in_studio_or_404(Series, studio, series_id)


def local_start(day: date, at: time, tz: str) -> datetime:
    """The UTC instant of local wall-clock `at` on `day` in zone `tz`."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz)).astimezone(ZoneInfo("UTC"))


def get_class_type_or_404(studio: Studio, type_id: int) -> ClassType:
    return get_in_studio_or_404(ClassType, studio, type_id)


def list_class_types(studio: Studio) -> list[ClassType]:
    return db.session.scalars(
        select(ClassType).where(ClassType.studio_id == studio.id).order_by(ClassType.id)
    ).all()


@dataclass(frozen=True, slots=True)
class Choice:
    """An option of the week page's filters: a class type (`name` a content map, with its own
    booking window, None for the studio's: the week's cards apply it) or a coach."""

    id: int
    name: dict | str
    booking_opens_days: int | None = None
    booking_closes_minutes: int | None = None


def filter_choices(studio: Studio) -> tuple[list[Choice], list[Choice]]:
    """The studio's class types (by id) and coaches (by name), in one statement."""
    types = select(literal(0).label("kind"), ClassType.id, ClassType.name.label("names"),
                   null().label("name"), ClassType.booking_opens_days.label("opens"),
                   ClassType.booking_closes_minutes.label("closes")
                   ).where(ClassType.studio_id == studio.id)
    coaches = coaches_of(studio.id, literal(1), User.id, null(), User.name, null(), null())
    rows = db.session.execute(union_all(types, coaches).order_by("kind", "name", "id")).all()
    return ([Choice(r.id, r.names, r.opens, r.closes) for r in rows if r.kind == 0],
            [Choice(r.id, r.name) for r in rows if r.kind == 1])


def list_series(studio: Studio) -> list[Series]:
    return db.session.scalars(
        select(Series).where(Series.studio_id == studio.id)
        .options(selectinload(Series.class_type), selectinload(Series.location),
                 selectinload(Series.coach))
        .order_by(Series.starts_on.desc(), Series.id.desc())
    ).all()


@dataclass(frozen=True)
class ScheduleFilters:
    location_id: int | None = None
    class_type_id: int | None = None
    coach_id: int | None = None

    @property
    def active(self) -> bool:
        return any((self.location_id, self.class_type_id, self.coach_id))


def local_today(tz: str) -> date:
    return datetime.now(ZoneInfo(tz)).date()


def day_bounds(day: date, tz: str, days: int = 1) -> tuple[datetime, datetime]:
    """The UTC instants where local `day` starts and `days` later ends."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=days), time.min, tzinfo=zone)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def _classes_in(studio: Studio, start: date, days: int, filters: ScheduleFilters, tz: str,
                *columns):
    """SELECT the studio's classes (and `columns`) from local day `start` for `days` days."""
    lo, hi = day_bounds(start, tz, days)
    query = (
        select(ScheduledClass, *columns)
        .where(ScheduledClass.studio_id == studio.id, ScheduledClass.starts_at >= lo,
               ScheduledClass.starts_at < hi)
        .order_by(ScheduledClass.starts_at, ScheduledClass.id)
    )
    if filters.location_id:
        query = query.where(ScheduledClass.location_id == filters.location_id)
    if filters.class_type_id:
        query = query.where(ScheduledClass.class_type_id == filters.class_type_id)
    if filters.coach_id:
        query = query.where(ScheduledClass.coach_id == filters.coach_id)
    return query


def list_classes(studio: Studio, start: date, days: int, filters: ScheduleFilters,
                 tz: str) -> list[ScheduledClass]:
    """Classes from local day `start` for `days` days, with type, location and coach loaded."""
    query = _classes_in(studio, start, days, filters, tz).options(joinedload(ScheduledClass.coach))
    return db.session.scalars(query).unique().all()


@dataclass(frozen=True, slots=True)
class ClassRow(ClassTimes):
    """A class as the week page reads it: its own columns only, no ORM object to build (70 of
    them cost more than the page's query)."""

    id: int
    status: ClassStatus
    starts_at: datetime
    ends_at: datetime
    capacity: int
    class_type_id: int
    location_id: int
    timezone: str  # its location's
    class_type: Choice | None = None  # its booking window (app/bookings/services/rules.py)


@dataclass(frozen=True, slots=True)
class Listing:
    """A class as the week schedule lists it, its texts ready in the page's language."""

    cls: ClassRow
    name: str
    place: str
    coach: str | None
    time: str
    duration: str
    iso: str  # the start, for <time datetime>
    zone: str | None = None  # "Toronto time" when the class's zone is not the reader's

    @property
    def key(self) -> tuple:
        """Every value the schedule's class card shows of the class (fragment cache key)."""
        return (self.cls.id, self.cls.status, self.name, self.place, self.coach, self.time,
                self.duration, self.iso, self.zone)


# The optional filters: parameter name and column.
WEEK_FILTERS = (("location", ScheduledClass.location_id), ("type", ScheduledClass.class_type_id),
                ("coach", ScheduledClass.coach_id))


@cache
def week_statement(filters: frozenset[str] = frozenset()) -> Select:
    """The week page's SELECT, built once per set of filters in use (building it costs more
    than running it): a studio's classes in [lo, hi), of the location, type and coach given in
    `filters`: the columns of a ClassRow (but its zone), then the coach's name. Class types and
    locations are not joined: the page names them from the lists its filters load.

    Only the filters in use are in the SQL: PostgreSQL plans a prepared statement once, and a
    plan made for "location = $1 OR $1 IS NULL" suits no value well. Parameters: week_params()."""
    c = ScheduledClass
    return (
        select(c.id, c.status, c.starts_at, c.ends_at, c.capacity, c.class_type_id, c.location_id,
               User.name)
        .outerjoin(User, User.id == ScheduledClass.coach_id)
        .where(ScheduledClass.studio_id == bindparam("studio"),
               ScheduledClass.starts_at >= bindparam("lo"),
               ScheduledClass.starts_at < bindparam("hi"),
               *(column == bindparam(name, type_=Integer)
                 for name, column in WEEK_FILTERS if name in filters))
        .order_by(ScheduledClass.starts_at, ScheduledClass.id)
    )


WEEK_CLASS_COLUMNS = 7  # week_statement()'s columns that make a ClassRow


def class_rows(rows, locations: list,
               class_types: list[Choice]) -> list[tuple[ClassRow, str | None]]:
    """(ClassRow, coach's name) from week_statement() rows (and any columns after them)."""
    zones = {loc.id: loc.timezone for loc in locations}
    types = {ct.id: ct for ct in class_types}
    n = WEEK_CLASS_COLUMNS
    return [(ClassRow(*r[:n], zones[r[n - 1]], types.get(r[n - 2])), r[n]) for r in rows]


def week_params(studio: Studio, start: date, filters: ScheduleFilters, tz: str) -> dict:
    """week_statement()'s parameters for the seven local days from `start`."""
    lo, hi = day_bounds(start, tz, 7)
    given = {"location": filters.location_id, "type": filters.class_type_id,
             "coach": filters.coach_id}
    return {"studio": studio.id, "lo": lo, "hi": hi, **{k: v for k, v in given.items() if v}}


def zone_note(zone: str, reader_zone: str | None, lang: str) -> str | None:
    """"Toronto time" when a time shown in `zone` is not in the reader's zone; else None."""
    if not reader_zone or zone == reader_zone:
        return None
    return _("%(city)s time", city=get_timezone_location(zone, locale=lang, return_city=True))


def make_listings(rows, studio: Studio, tz: str, *, class_types: list[Choice],
                  locations: list, reader_zone: str | None = None) -> list[Listing]:
    """Listings for (class, coach's name) rows, each text made once per page and language.
    Each class's time is in its location's zone, named where it is not `reader_zone`."""
    lang, fallback = current_language(), studio.default_language
    names = {t.id: translated(t.name, fallback, lang) for t in class_types}
    places = {loc.id: translated(loc.name, fallback, lang) for loc in locations}
    zones = {loc.id: loc.timezone for loc in locations}
    notes = {zone: zone_note(zone, reader_zone, lang) for zone in set(zones.values())}
    durations: dict[int, str] = {}

    def duration(cls) -> str:
        minutes = int((cls.ends_at - cls.starts_at).total_seconds() // 60)
        if minutes not in durations:
            durations[minutes] = _("%(minutes)s min", minutes=minutes)
        return durations[minutes]

    return [
        Listing(cls, names[cls.class_type_id], places[cls.location_id], coach,
                format_time(cls.starts_at, zones.get(cls.location_id, tz), lang), duration(cls),
                cls.starts_at.isoformat(), notes.get(zones.get(cls.location_id)))
        for cls, coach in rows
    ]


def list_coach_classes(coach, lo: datetime, hi: datetime) -> list[ScheduledClass]:
    """A coach's classes in a window, across all their studios."""
    return db.session.scalars(
        select(ScheduledClass)
        .where(ScheduledClass.coach_id == coach.id, ScheduledClass.starts_at >= lo,
               ScheduledClass.starts_at < hi)
        .order_by(ScheduledClass.starts_at)
    ).unique().all()


def week_key(days: list[tuple[date, list[Listing]]], states: dict, *, start: date, today: date,
             filters: "ScheduleFilters") -> tuple:
    """Every value the week's results show (its fragment cache key): the week and its filters,
    today, and each day's cards (the card's class and its panel)."""
    return (start, today, filters, tuple(
        (day, tuple((row.key, states[row.cls.id].key) for row in rows)) for day, rows in days))


def group_by_day(listings: list[Listing], start: date, tz: str,
                 days: int = 7) -> list[tuple[date, list[Listing]]]:
    """Seven (local day, listings) pairs, empty days included."""
    zone = ZoneInfo(tz)
    grouped: dict[date, list[Listing]] = {start + timedelta(days=i): [] for i in range(days)}
    for listing in listings:
        grouped.setdefault(listing.cls.starts_at.astimezone(zone).date(), []).append(listing)
    return list(grouped.items())
