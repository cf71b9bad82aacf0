"""Every booking in the studio's classes of the period (held or cancelled, on their location's
local days, filtered), for a CSV: read from a server-side cursor in batches so memory stays flat
whatever the count; dates and times are formatted by the database, names looked up once."""

from collections.abc import Iterator

from flask_babel import gettext as _
from sqlalchemy import String, case, func, literal, select, type_coerce
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.bookings.models import Booking, BookingStatus
from app.core.db import local_date_text, local_minute_text, local_time_text
from app.core.i18n import translated
from app.extensions import db
from app.schedule.models import ScheduledClass
from app.studios.models import Location

from . import local_period
from .attendance import type_names

BATCH = 2000
S = BookingStatus


def booking_columns() -> list[str]:
    return [_("Date"), _("Time"), _("Class type"), _("Location"), _("Coach"), _("Customer"),
            _("Email"), _("Status"), _("Booked at (UTC)"), _("Cancelled at (UTC)")]


def status_labels() -> dict[str, str]:
    return {S.CONFIRMED: _("Booked"), S.WAITLISTED: _("Waitlist"), S.OFFERED: _("Spot offered"),
            S.CANCELLED: _("Cancelled"), S.LATE_CANCELLED: _("Late cancel"),
            S.ATTENDED: _("Attended"), S.NO_SHOW: _("Missed")}


def as_text(column):
    """A cell a spreadsheet shows as text, escaped by the database (rows stream faster when
    Python touches each as little as possible): a formula's first character gets a quote."""
    return case((func.substr(column, 1, 1).in_(FORMULA), "'" + column),
                else_=func.coalesce(column, ""))


# What a spreadsheet takes for the start of a formula.
FORMULA = ("=", "+", "-", "@", "\t", "\r")


def bookings_statement(studio, filters):
    """The bookings of the period's classes in order, dates and times as text (the bench
    compares streaming them with PostgreSQL's own COPY of this statement)."""
    coach, customer = aliased(User), aliased(User)
    conds = [ScheduledClass.studio_id == studio.id,
             *local_period(ScheduledClass.starts_at, Location.timezone, filters)]
    if filters.location_id:
        conds.append(ScheduledClass.location_id == filters.location_id)
    if filters.class_type_id:
        conds.append(ScheduledClass.class_type_id == filters.class_type_id)
    starts = ScheduledClass.starts_at
    return (select(local_date_text(starts, Location.timezone),
                   local_time_text(starts, Location.timezone),
                   ScheduledClass.class_type_id, ScheduledClass.location_id,
                   as_text(coach.name), as_text(customer.name), as_text(customer.email),
                   type_coerce(Booking.status, String),
                   local_minute_text(Booking.created_at, literal("UTC")),
                   local_minute_text(Booking.cancelled_at, literal("UTC")))
            .select_from(ScheduledClass)
            .join(Location, Location.id == ScheduledClass.location_id)
            .join(Booking, Booking.class_id == ScheduledClass.id)
            .join(customer, customer.id == Booking.customer_id)
            .outerjoin(coach, coach.id == ScheduledClass.coach_id)
            .where(Booking.studio_id == studio.id, *conds)
            .order_by(ScheduledClass.starts_at, ScheduledClass.id, Booking.id))


def iter_booking_batches(studio, filters, cell) -> Iterator[list[list]]:
    """Batches of CSV rows; the names the studio typed pass through `cell` (the people's are
    escaped the same way in SQL)."""
    types = {k: cell(v) for k, v in type_names(studio).items()}
    places = {r.id: cell(translated(r.name)) for r in db.session.execute(
        select(Location.id, Location.name).where(Location.studio_id == studio.id))}
    labels = status_labels()
    result = db.session.execute(
        bookings_statement(studio, filters).execution_options(yield_per=BATCH))
    for batch in result.partitions():
        yield [(day, at, types[type_id], places[place], coach, name, email, labels[status],
                booked, cancelled or "")
               for day, at, type_id, place, coach, name, email, status, booked, cancelled
               in batch]
