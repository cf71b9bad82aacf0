"""The owner's overview: the studios a person may see reports of, side by side for a period —
bookings, check-ins, fill rate, net sales per currency, new customers. A fixed number of
statements for any number of studios (each groups by studio)."""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.bookings.models import BookingStatus
from app.extensions import db
from app.reports.models import CustomerFirst, RevenueDay
from app.schedule.models import ClassStatus, ScheduledClass
from app.studios.models import Location, Studio

from . import PERCENT, local_period, rate, shown_cell
from .attendance import BOOKED, TAKEN, tally


@dataclass
class StudioFigures:
    studio: Studio
    classes: int = 0
    bookings: int = 0
    checked_in: int = 0
    places: int = 0
    taken: int = 0
    new_customers: int = 0
    net_sales: dict = field(default_factory=dict)  # currency -> net minor units

    @property
    def fill_rate(self) -> str:
        return shown_cell(rate(self.taken, self.places), PERCENT)


def _classes(ids, filters):
    return db.session.execute(
        select(ScheduledClass.studio_id, func.count(ScheduledClass.id).label("classes"),
               func.sum(ScheduledClass.capacity).label("places"),
               tally(*BOOKED).label("booked"), tally(BookingStatus.ATTENDED).label("attended"),
               tally(*TAKEN).label("taken"))
        .join(Location, Location.id == ScheduledClass.location_id)
        .where(ScheduledClass.studio_id.in_(ids),
               ScheduledClass.status == ClassStatus.SCHEDULED,
               *local_period(ScheduledClass.starts_at, Location.timezone, filters))
        .group_by(ScheduledClass.studio_id)).all()


def _sales(ids, filters):
    d = RevenueDay
    return db.session.execute(
        select(d.studio_id, d.currency, func.sum(d.net_minor).label("net"))
        .where(d.studio_id.in_(ids), d.line == "sale", d.day >= filters.start,
               d.day <= filters.end)
        .group_by(d.studio_id, d.currency)).all()


def _new_customers(ids, filters):
    """Per studio: customers whose first booking there is for a class in the period."""
    return db.session.execute(
        select(CustomerFirst.studio_id, func.count())
        .join(ScheduledClass, ScheduledClass.id == CustomerFirst.first_booked_class_id)
        .join(Location, Location.id == ScheduledClass.location_id)
        .where(CustomerFirst.studio_id.in_(ids), ScheduledClass.studio_id.in_(ids),
               *local_period(ScheduledClass.starts_at, Location.timezone, filters))
        .group_by(CustomerFirst.studio_id)).all()


def overview(studios, filters) -> dict:
    """Each studio's figures for the period, in the order given, and the currencies sold in."""
    figures = {s.id: StudioFigures(s) for s in studios}
    ids = list(figures)
    for r in _classes(ids, filters):
        f = figures[r.studio_id]
        f.classes, f.places = r.classes, int(r.places)
        f.bookings, f.checked_in, f.taken = int(r.booked), int(r.attended), int(r.taken)
    sales = defaultdict(dict)
    for r in _sales(ids, filters):
        sales[r.studio_id][r.currency] = int(r.net)
    for studio_id, by_currency in sales.items():
        figures[studio_id].net_sales = dict(sorted(by_currency.items()))
    for studio_id, count in _new_customers(ids, filters):
        figures[studio_id].new_customers = count
    return {"studios": list(figures.values()),
            "currencies": sorted({cur for by in sales.values() for cur in by})}
