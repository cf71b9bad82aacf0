"""When people come and who could not: attendance by time of day (morning, midday, evening on
the location's clock) and waitlist demand per class type (classes that filled, people the
waitlist never gave a place)."""

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from app.bookings.models import BookingStatus
from app.core.db import local_hour
from app.extensions import db
from app.schedule.models import ClassType, ScheduledClass
from app.studios.models import Location

from . import COUNT, TEXT, Table, bar_chart
from .attendance import TAKEN, bookings_by, held, tally, type_names

S = BookingStatus
MORNING, MIDDAY, EVENING = 1, 2, 3


def slot_labels() -> dict[int, str]:
    return {MORNING: _("Morning (before 12:00)"), MIDDAY: _("Midday (12:00–16:59)"),
            EVENING: _("Evening (from 17:00)")}


def time_slots(studio, filters) -> dict:
    """Bookings, check-ins, no-shows and late cancels by the class's local time of day."""
    hour = local_hour(ScheduledClass.starts_at, Location.timezone)
    slot = case((hour < 12, MORNING), (hour < 17, MIDDAY), else_=EVENING).label("slot")
    rows = {r.slot: r for r in bookings_by(studio, filters, slot)}
    table = Table("attendance-slots", [
        (_("Time of day"), TEXT), (_("Bookings"), COUNT), (_("Check-ins"), COUNT),
        (_("No-shows"), COUNT), (_("Late cancels"), COUNT)])
    for key, label in slot_labels().items():
        r = rows.get(key)
        table.rows.append([label, *((r.booked, r.checked_in, r.no_shows, r.late_cancels)
                                    if r else (0, 0, 0, 0))])
    chart = bar_chart([row[0] for row in table.rows], [
        (_("Check-ins"), [row[2] for row in table.rows]),
        (_("No-shows"), [row[3] for row in table.rows])])
    return {"table": table, "chart": chart}


def waitlist_demand(studio, filters) -> dict:
    """Per class type: classes held, those that filled, people still on the waitlist when the
    class began and offers never claimed (an open offer at the start counts: too late to use)."""
    taken = sum(getattr(ScheduledClass, f"{status}_count") for status in TAKEN)
    full = func.count(ScheduledClass.id).filter(taken >= ScheduledClass.capacity)
    rows = db.session.execute(
        select(ClassType.id, func.count(ScheduledClass.id).label("classes"),
               full.label("full"), tally(S.WAITLISTED).label("waiting"),
               tally(S.OFFERED, "lapsed").label("unclaimed"))
        .select_from(ScheduledClass)
        .join(Location, Location.id == ScheduledClass.location_id)
        .join(ClassType, ClassType.id == ScheduledClass.class_type_id)
        .where(*held(studio, filters))
        .group_by(ClassType.id)).all()
    names = type_names(studio)
    table = Table("waitlist", [
        (_("Class type"), TEXT), (_("Classes"), COUNT), (_("Full classes"), COUNT),
        (_("Never left the waitlist"), COUNT), (_("Offers not claimed"), COUNT),
        (_("Turned away"), COUNT)])
    for r in sorted(rows, key=lambda r: names[r.id]):
        waiting, unclaimed = int(r.waiting), int(r.unclaimed)
        table.rows.append([names[r.id], r.classes, r.full, waiting, unclaimed,
                           waiting + unclaimed])
    chart = bar_chart([row[0] for row in table.rows], [
        (_("Full classes"), [row[2] for row in table.rows]),
        (_("Turned away"), [row[5] for row in table.rows])])
    return {"table": table, "chart": chart,
            "turned_away": sum(row[5] for row in table.rows),
            "full": sum(row[2] for row in table.rows)}
