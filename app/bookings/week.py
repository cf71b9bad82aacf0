"""The week schedule: its classes with their booking panels in one query, and on PostgreSQL
the week's version, so that an unchanged week is never loaded (its HTML is remembered)."""

from datetime import date, datetime
from functools import cache, cached_property

from flask import abort
from sqlalchemy import Select, bindparam, case, func, literal_column, select, true
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased

from app.bookings.models import Booking, BookingStatus
from app.bookings.queries import OwnBooking, PanelState, own_booking, panel_states
from app.core.db import is_postgresql
from app.extensions import db
from app.schedule.frames import FRAME_VERSION, WeekFrame, load_frame, remembered_frame, use_frame
from app.schedule.models import ClassType, ScheduledClass
from app.schedule.queries import (
    WEEK_CLASS_COLUMNS,
    WEEK_FILTERS,
    Listing,
    ScheduleFilters,
    class_rows,
    group_by_day,
    local_today,
    make_listings,
    week_key,
    week_params,
    week_statement,
)
from app.studios.models import Studio

WEEK_FILTER_NAMES = frozenset(name for name, _column in WEEK_FILTERS)


# Built once each (building costs more than running them); executed with parameters.
@cache
def _week_with_states(filters: frozenset[str], probe: bool) -> Select:
    """The week's classes with spots taken and the customer's booking; `probe`: PostgreSQL's
    lateral lookup (app/bookings/queries.py: own_booking), which SQLite does not have."""
    return own_booking(week_statement(filters).add_columns(ScheduledClass.spots_taken),
                        "id", "status", "offer_expires_at", probe=probe)


def list_week(studio: Studio, start: date, filters: ScheduleFilters, tz: str, user,
              now: datetime, *, class_types: list, locations: list,
              ) -> tuple[list[Listing], dict[int, PanelState]]:
    """The week schedule's listings and their panel states, in one query."""
    customer = user.id if getattr(user, "is_authenticated", False) else None
    params = week_params(studio, start, filters, tz)
    rows = db.session.execute(
        _week_with_states(frozenset(params) & WEEK_FILTER_NAMES, is_postgresql()),
        {**params, "customer": customer})
    rows = rows.all()
    classes = class_rows(rows, locations, class_types)
    listings = make_listings(classes, studio, tz, class_types=class_types, locations=locations,
                             reader_zone=reader_zone(user, tz))
    n = WEEK_CLASS_COLUMNS + 1  # the class, the coach's name, then spots taken and the booking
    return listings, panel_states(studio, [
        (cls, r[n], None if r[n + 1] is None else OwnBooking(*r[n + 1:n + 4]))
        for (cls, _coach), r in zip(classes, rows, strict=True)], now)


def reader_zone(user, studio_zone: str) -> str:
    """The zone the reader lives in: their profile's, else the studio's."""
    return getattr(user, "timezone", None) or studio_zone


def _window_of(class_type_id, own, studio_default, *, minutes: bool):
    """One bound of a class's booking window as an interval: its class type's `own` column,
    else the studio's (days, or `minutes`)."""
    ct, st = aliased(ClassType), aliased(Studio)
    value = func.coalesce(getattr(ct, own.key), getattr(st, studio_default.key))
    # make_interval(years, months, weeks, days, hours, mins)
    args = (0, 0, 0, 0, 0, value) if minutes else (0, 0, 0, value)
    return (select(func.make_interval(*args)).select_from(ct)
            .join(st, st.id == ct.studio_id).where(ct.id == class_type_id).scalar_subquery())


@cache
def _week_version(filters: frozenset[str]) -> Select:
    """The studio's frame version (app/schedule/frames.py) and the week's, in one statement.

    The week's version is a digest of every column the week page's own query reads (so of
    everything its cards show: the class, its coach, spots taken, the customer's booking), plus
    the place of each waiting booking, and the next instant at which a card's booking window
    changes (check_bookable's answer moves only then): each class's window is its class
    type's, else the studio's (rules.booking_window, restated here). Parameters: week_params(),
    `slug`, `customer`, `now`."""
    week = _week_with_states(filters, probe=True).subquery()  # PostgreSQL only
    cols = list(week.c)
    class_id, starts = cols[0], cols[2]
    own_id, own_status = cols[WEEK_CLASS_COLUMNS + 2], cols[WEEK_CLASS_COLUMNS + 3]
    ahead = aliased(Booking)
    position = case((own_status == BookingStatus.WAITLISTED, select(func.count()).where(
        ahead.class_id == class_id, ahead.status == BookingStatus.WAITLISTED,
        ahead.id <= own_id).scalar_subquery()))
    now = bindparam("now", type_=ScheduledClass.starts_at.type)
    opens = starts - _window_of(cols[5], ClassType.booking_opens_days,
                                Studio.booking_opens_days, minutes=False)
    closes = starts - _window_of(cols[5], ClassType.booking_closes_minutes,
                                 Studio.booking_closes_minutes, minutes=True)
    next_change = func.min(func.least(case((opens > now, opens)), case((closes >= now, closes)),
                                      case((starts > now, starts))))
    rows = func.string_agg(func.concat_ws(",", *cols, position),
                           aggregate_order_by(literal_column("';'"), starts, class_id))
    versions = select(func.md5(rows).label("week"), next_change.label("next_change")).subquery()
    return (select(Studio.id, FRAME_VERSION.label("frame"), versions.c.week,
                   versions.c.next_change)
            .select_from(Studio).join(versions, true()).where(Studio.slug == bindparam("slug")))


class WeekResults:
    """The week page: its frame, and its days and panel states loaded when first read. A week
    with a version (PostgreSQL) is keyed by it, so a week whose HTML is remembered
    (app/core/fragments.py) is never loaded at all."""

    def __init__(self, frame: WeekFrame, start: date, today: date, filters: ScheduleFilters,
                 user, now: datetime, version: tuple | None = None):
        self.frame, self.start, self.today, self.filters = frame, start, today, filters
        self.user, self.now, self.version = user, now, version

    @cached_property
    def _loaded(self) -> tuple[list, dict[int, PanelState]]:
        frame = self.frame
        listings, states = list_week(frame.studio, self.start, self.filters, frame.tz, self.user,
                                     self.now, class_types=frame.class_types,
                                     locations=frame.locations)
        return group_by_day(listings, self.start, frame.tz), states

    @property
    def days(self) -> list:
        return self._loaded[0]

    @property
    def states(self) -> dict[int, PanelState]:
        return self._loaded[1]

    @cached_property
    def key(self) -> tuple:
        """Every value the week's results show (their fragment cache key)."""
        if self.version is not None:  # the cards name class types, places and coaches
            return (self.start, self.today, self.filters, self.frame.version, self.version,
                    reader_zone(self.user, self.frame.tz))
        return week_key(self.days, self.states, start=self.start, today=self.today,
                        filters=self.filters)


def load_week(slug: str, requested: date | None, filters: ScheduleFilters, user,
              now: datetime) -> WeekResults:
    """The week from local day `requested` (or today) of the studio `slug` (a 404 if unknown).
    On PostgreSQL one statement checks the remembered frame and versions the week."""
    frame, remembered = remembered_frame(slug), True
    if frame is None:
        frame, remembered = load_frame(slug), False
    today = local_today(frame.tz)
    if frame.version is None:  # SQLite: nothing remembered, nothing to version
        return WeekResults(frame, requested or today, today, filters, user, now)
    version = _week_versions(slug, frame, requested or today, filters, user, now)
    if version is None and remembered:  # the frame changed since: load it, version again
        frame = load_frame(slug)
        today = local_today(frame.tz)
        version = _week_versions(slug, frame, requested or today, filters, user, now)
    return WeekResults(frame, requested or today, today, filters, user, now, version)


def _week_versions(slug: str, frame: WeekFrame, start: date, filters: ScheduleFilters, user,
                   now: datetime) -> tuple | None:
    """The week's version if `frame` is current (None if it changed); a 404 for no studio."""
    params = week_params(frame.studio, start, filters, frame.tz)
    row = db.session.connection().execute(
        _week_version(frozenset(params) & WEEK_FILTER_NAMES),
        {**params, "slug": slug, "now": now,
         "customer": user.id if getattr(user, "is_authenticated", False) else None}).first()
    if row is None:
        abort(404)
    if row.id != frame.studio.id or row.frame != frame.version:
        return None
    use_frame(frame)
    return row.week, row.next_change
