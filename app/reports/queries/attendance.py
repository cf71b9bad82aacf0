"""Attendance and utilisation: the studio's classes held in the period (not cancelled), on
their location's local days, and the bookings in them, read from each class's counts and each
customer's firsts (app/reports/models.py): the work follows the classes of the period, not the
bookings of the year."""

from babel import dates
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts.models import User
from app.bookings.models import BookingStatus
from app.core.db import local_hour, local_isodow
from app.core.i18n import current_language, translated
from app.extensions import db
from app.reports.models import CustomerFirst
from app.schedule.models import ClassStatus, ClassType, ScheduledClass
from app.studios.models import Location

from . import COUNT, PERCENT, TEXT, Table, bar_chart, local_period, rate

S = BookingStatus
# A booking that kept its place until the class (or gave it up too late to pass it on).
BOOKED = (S.CONFIRMED, S.ATTENDED, S.NO_SHOW, S.LATE_CANCELLED)
# A place taken in the class: what fill rates count.
TAKEN = (S.CONFIRMED, S.ATTENDED, S.NO_SHOW)


def held(studio, filters) -> list:
    """Conditions on ScheduledClass (joined to its Location): held in the period, filtered."""
    conds = [ScheduledClass.studio_id == studio.id,
             ScheduledClass.status == ClassStatus.SCHEDULED,
             *local_period(ScheduledClass.starts_at, Location.timezone, filters)]
    if filters.location_id:
        conds.append(ScheduledClass.location_id == filters.location_id)
    if filters.class_type_id:
        conds.append(ScheduledClass.class_type_id == filters.class_type_id)
    return conds


def tally(*statuses):
    """The classes' bookings in these statuses, summed from each class's counts (kept by a
    trigger: ScheduledClass.*_count)."""
    total = sum(getattr(ScheduledClass, f"{status}_count") for status in statuses)
    return func.coalesce(func.sum(total), 0)


# Every status a class counts: a group with no booking at all has no row.
EVERY = ("confirmed", "offered", "waitlisted", "attended", "no_show", "late_cancelled",
         "cancelled", "lapsed")


def _counts():
    return (tally(*BOOKED).label("booked"), tally(S.ATTENDED).label("checked_in"),
            tally(S.NO_SHOW).label("no_shows"), tally(S.LATE_CANCELLED).label("late_cancels"))


def bookings_by(studio, filters, *keys):
    """Booking counts (booked, checked in, no-shows, late cancels) in the classes held, grouped
    by `keys` (columns of ScheduledClass, Location, ClassType or the coach's User)."""
    return db.session.execute(
        select(*keys, *_counts())
        .select_from(ScheduledClass)
        .join(Location, Location.id == ScheduledClass.location_id)
        .join(ClassType, ClassType.id == ScheduledClass.class_type_id)
        .outerjoin(User, User.id == ScheduledClass.coach_id)
        .where(*held(studio, filters))
        .group_by(*keys)
        .having(tally(*EVERY) > 0)).all()


def _first_visits(studio, filters) -> dict[int, int]:
    """Per class type: customers whose first check-in at the studio ever was in the period."""
    rows = db.session.execute(
        select(ScheduledClass.class_type_id, func.count())
        .select_from(CustomerFirst)
        .join(ScheduledClass, ScheduledClass.id == CustomerFirst.first_visit_class_id)
        .join(Location, Location.id == ScheduledClass.location_id)
        .where(CustomerFirst.studio_id == studio.id, *held(studio, filters))
        .group_by(ScheduledClass.class_type_id)).all()
    return dict(rows)


def attendance(studio, filters) -> dict:
    names = type_names(studio)
    by_type = sorted(bookings_by(studio, filters, ClassType.id), key=lambda r: names[r.id])
    firsts = _first_visits(studio, filters)
    columns = [(_("Bookings"), COUNT), (_("Check-ins"), COUNT), (_("No-shows"), COUNT),
               (_("Late cancels"), COUNT)]
    types = Table("attendance", [(_("Class type"), TEXT), *columns, (_("First visits"), COUNT)])
    for r in by_type:
        types.rows.append([names[r.id], r.booked, r.checked_in, r.no_shows,
                           r.late_cancels, firsts.get(r.id, 0)])
    by_coach = bookings_by(studio, filters, ScheduledClass.coach_id, User.name)
    coaches = Table("attendance-coaches", [(_("Coach"), TEXT), *columns])
    for r in sorted(by_coach, key=lambda r: (r.name is None, r.name or "")):
        coaches.rows.append([r.name or _("No coach"), r.booked, r.checked_in, r.no_shows,
                             r.late_cancels])
    chart = bar_chart([row[0] for row in types.rows], [
        (_("Check-ins"), [row[2] for row in types.rows]),
        (_("No-shows"), [row[3] for row in types.rows]),
        (_("Late cancels"), [row[4] for row in types.rows])])
    totals = {"booked": sum(r.booked for r in by_type),
              "checked_in": sum(r.checked_in for r in by_type),
              "no_shows": sum(r.no_shows for r in by_type),
              "late_cancels": sum(r.late_cancels for r in by_type),
              "first_visits": sum(firsts.values())}
    return {"table": types, "coaches": coaches, "chart": chart, "totals": totals}


def type_names(studio) -> dict[int, str]:
    """The studio's class types' names in the reader's language (a JSON column: not grouped)."""
    rows = db.session.execute(select(ClassType.id, ClassType.name)
                              .where(ClassType.studio_id == studio.id)).all()
    return {r.id: translated(r.name) for r in rows}


def utilisation(studio, filters) -> dict:
    base = (select().select_from(ScheduledClass)
            .join(Location, Location.id == ScheduledClass.location_id)
            .join(ClassType, ClassType.id == ScheduledClass.class_type_id)
            .where(*held(studio, filters)))
    places = func.sum(ScheduledClass.capacity).label("places")
    filled = tally(*TAKEN).label("filled")
    rows = db.session.execute(
        base.add_columns(ClassType.id, func.count(ScheduledClass.id).label("classes"), places,
                         filled)
        .group_by(ClassType.id)).all()
    names = type_names(studio)
    table = Table("utilisation", [(_("Class type"), TEXT), (_("Classes"), COUNT),
                                  (_("Places"), COUNT), (_("Places taken"), COUNT),
                                  (_("Fill rate"), PERCENT)])
    for r in sorted(rows, key=lambda r: names[r.id]):
        table.rows.append([names[r.id], r.classes, int(r.places), int(r.filled),
                           rate(int(r.filled), int(r.places))])
    weekday = local_isodow(ScheduledClass.starts_at, Location.timezone).label("weekday")
    hour = local_hour(ScheduledClass.starts_at, Location.timezone).label("hour")
    cells = db.session.execute(
        base.add_columns(weekday, hour, places, filled).group_by(weekday, hour)).all()
    chart = bar_chart([row[0] for row in table.rows],
                      [(_("Fill rate"), [round((row[4] or 0) * 100, 1) for row in table.rows])],
                      percent=True)
    return {"table": table, "chart": chart,
            "heat": heat_map({(int(c.weekday), int(c.hour)): (int(c.filled), int(c.places))
                              for c in cells})}


def heat_map(cells: dict) -> dict:
    """Weekday (1 Monday … 7) × hour: each cell's fill rate and its shade, 0 (empty) to 5."""
    hours = sorted({hour for _day, hour in cells})
    grid = {}
    for key, (filled, places) in cells.items():
        value = rate(filled, places) or 0
        grid[key] = {"rate": value, "filled": filled, "places": places,
                     "shade": min(5, int(value * 5) + (1 if filled else 0))}
    names = dates.get_day_names("wide", locale=current_language())
    return {"hours": hours, "cells": grid, "days": [(d, names[d - 1]) for d in range(1, 8)]}
