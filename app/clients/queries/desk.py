"""A customer's page for the studio's staff: everything the studio knows about them, and their
totals, computed from the bookings and the money themselves (never a counter kept aside)."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.appointments.models import Appointment
from app.billing.models import DocumentKind, Invoice, Order, Payment
from app.bookings.models import Booking, BookingStatus
from app.bookings.services.rules import is_late_cancel
from app.clients.queries import ClientProfile, client_profile
from app.extensions import db
from app.memberships.models import CreditEntry, Plan
from app.memberships.queries import list_plans
from app.schedule.models import ScheduledClass
from app.schedule.queries import ScheduleFilters, list_classes, local_today
from app.studios.models import Studio, StudioCustomer

# A place taken in a class: booked and kept, attended, missed or cancelled late (a cancel in
# time and a waitlist place are not).
TAKEN = (BookingStatus.CONFIRMED, BookingStatus.ATTENDED, BookingStatus.NO_SHOW,
         BookingStatus.LATE_CANCELLED)


@dataclass
class Totals:
    bookings_made: int
    classes_attended: int
    paid: list[tuple[int, str]]  # net of refunds, per currency


@dataclass
class CustomerFile:
    link: StudioCustomer
    profile: ClientProfile
    totals: Totals
    ledger: dict[int, list[CreditEntry]] = field(default_factory=dict)  # per pass id
    orders: list[Order] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    credit_notes: list[Invoice] = field(default_factory=list)
    sessions: list[Appointment] = field(default_factory=list)


def customer_totals(studio: Studio, customer: User) -> Totals:
    """Places taken, classes attended and money paid net of refunds, from the rows."""
    counts = dict(db.session.execute(
        select(Booking.status, func.count())
        .where(Booking.studio_id == studio.id, Booking.customer_id == customer.id)
        .group_by(Booking.status)).all())
    paid = db.session.execute(
        select(func.sum(Payment.amount_minor - Payment.refunded_minor), Payment.currency)
        .join(Order, Order.id == Payment.order_id)
        .where(Payment.studio_id == studio.id, Order.customer_id == customer.id)
        .group_by(Payment.currency).order_by(Payment.currency)).all()
    return Totals(bookings_made=sum(counts.get(s, 0) for s in TAKEN),
                  classes_attended=counts.get(BookingStatus.ATTENDED, 0),
                  paid=[(int(amount), currency) for amount, currency in paid if amount])


def customer_file(studio: Studio, customer: User, link: StudioCustomer,
                  now: datetime) -> CustomerFile:
    """The staff page's context for one customer of `studio`."""
    profile = client_profile(studio, customer, link, now)
    pass_ids = [e.pass_.id for e in profile.wallet]
    ledger: dict[int, list[CreditEntry]] = {pid: [] for pid in pass_ids}
    if pass_ids:
        for entry in db.session.scalars(
                select(CreditEntry).where(CreditEntry.pass_id.in_(pass_ids))
                .order_by(CreditEntry.created_at.desc(), CreditEntry.id.desc())):
            ledger[entry.pass_id].append(entry)
    orders = db.session.scalars(
        select(Order).where(Order.studio_id == studio.id, Order.customer_id == customer.id)
        .options(selectinload(Order.payments))
        .order_by(Order.created_at.desc(), Order.id.desc()).limit(50)).all()
    documents = db.session.scalars(
        select(Invoice).where(Invoice.studio_id == studio.id, Invoice.customer_id == customer.id)
        .order_by(Invoice.issued_at.desc(), Invoice.id.desc()).limit(100)).all()
    sessions = db.session.scalars(
        select(Appointment).where(Appointment.studio_id == studio.id,
                                  Appointment.customer_id == customer.id)
        .options(selectinload(Appointment.coach))
        .order_by(Appointment.starts_at.desc()).limit(30)).all()
    return CustomerFile(
        link=link, profile=profile, totals=customer_totals(studio, customer), ledger=ledger,
        orders=orders, sessions=sessions,
        invoices=[d for d in documents if d.kind == DocumentKind.INVOICE],
        credit_notes=[d for d in documents if d.kind == DocumentKind.CREDIT_NOTE])


BOOKABLE_DAYS = 14


@dataclass
class DeskChoices:
    """What the desk may book a customer into and pay with: the coming classes, the plans on
    sale, and which of their bookings would be a late cancel now."""

    classes: list[ScheduledClass]
    plans: list[Plan]
    late: set[int]


def desk_choices(studio: Studio, upcoming: list[Booking], now: datetime) -> DeskChoices:
    tz = studio.timezone
    classes = [c for c in list_classes(studio, local_today(tz), BOOKABLE_DAYS,
                                       ScheduleFilters(), tz)
               if not c.is_cancelled and c.ends_at > now]
    late = {b.id for b in upcoming if b.status == BookingStatus.CONFIRMED
            and is_late_cancel(studio, b.scheduled_class, now)}
    return DeskChoices(classes=classes, plans=list_plans(studio), late=late)
