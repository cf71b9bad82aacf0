"""Loaders and read helpers for a studio's orders, payments, refunds and documents."""

from dataclasses import dataclass, field
from datetime import date

from flask import abort
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload, undefer

from app.accounts.models import User
from app.appointments.models import Appointment
from app.appointments.queries import list_unpaid_sessions
from app.billing.models import Invoice, Order, OrderStatus, Payment, PaymentMethodKind, Refund
from app.billing.services.documents import invoice_of
from app.bookings.services import active_booking
from app.core.db import get_in_studio_or_404
from app.core.search import like_pattern
from app.extensions import db
from app.memberships.models import CreditEntry, Pass
from app.memberships.queries import studios_by_id
from app.schedule.models import ScheduledClass
from app.schedule.queries import day_bounds
from app.studios.models import Studio

PAGE_SIZE = 50


def get_order_or_404(studio, order_id: int) -> Order:
    """An order of this studio with its customer and payments; another studio's is a 404."""
    order = db.session.scalar(
        select(Order).where(Order.id == order_id, Order.studio_id == studio.id)
        .options(selectinload(Order.customer), selectinload(Order.payments)))
    if order is None:
        abort(404)
    return order


def get_invoice_or_404(studio, invoice_id: int, *, with_pdf: bool = False) -> Invoice:
    """An invoice or credit note of this studio (its PDF bytes loaded only when asked)."""
    query = select(Invoice).where(Invoice.id == invoice_id, Invoice.studio_id == studio.id)
    invoice = db.session.scalar(query.options(undefer(Invoice.pdf)) if with_pdf else query)
    if invoice is None:
        abort(404)
    return invoice


def get_payment_or_404(studio, payment_id: int) -> Payment:
    return get_in_studio_or_404(Payment, studio, payment_id)


@dataclass(frozen=True)
class OrderFilters:
    status: OrderStatus | None = None
    date_from: date | None = None  # local dates of the studio, both inclusive
    date_to: date | None = None
    search: str = ""  # part of the customer's name or email


@dataclass
class OrderPage:
    orders: list[Order]
    total: int
    page: int
    pages: int = field(init=False)

    def __post_init__(self):
        self.pages = max(1, -(-self.total // PAGE_SIZE))


def list_orders(studio, filters: OrderFilters, tz: str, page: int = 1) -> OrderPage:
    """One page of the studio's orders, newest first, matching `filters` (dates in `tz`)."""
    query = select(Order).where(Order.studio_id == studio.id)
    if filters.status:
        query = query.where(Order.status == filters.status)
    if filters.date_from:
        query = query.where(Order.created_at >= day_bounds(filters.date_from, tz)[0])
    if filters.date_to:
        query = query.where(Order.created_at < day_bounds(filters.date_to, tz)[1])
    if filters.search.strip():
        pattern = like_pattern(filters.search.strip())
        query = query.join(User, User.id == Order.customer_id).where(
            or_(User.name.ilike(pattern, escape="\\"), User.email.ilike(pattern, escape="\\")))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    result = OrderPage([], total, 1)
    result.page = min(max(page, 1), result.pages)
    result.orders = db.session.scalars(
        query.options(selectinload(Order.customer), selectinload(Order.payments))
        .order_by(Order.created_at.desc(), Order.id.desc())
        .offset((result.page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return result


def list_documents(order: Order) -> list[Invoice]:
    """The order's invoice and credit notes, in the order they were issued."""
    return db.session.scalars(select(Invoice).where(Invoice.order_id == order.id)
                              .order_by(Invoice.issued_at, Invoice.id)).all()


def refunds_by_payment(order: Order) -> dict[int, list[Refund]]:
    """Each payment's refunds, oldest first."""
    found: dict[int, list[Refund]] = {p.id: [] for p in order.payments}
    if found:
        for refund in db.session.scalars(select(Refund).where(Refund.payment_id.in_(found))
                                         .order_by(Refund.id)):
            found[refund.payment_id].append(refund)
    return found


def list_unpaid_orders(user) -> list[Order]:
    """What the customer still owes: pay-at-the-studio passes and fees, and 1:1 sessions
    however they are to be paid (a card session waiting for its payment is owed too)."""
    return db.session.scalars(
        select(Order).where(Order.customer_id == user.id,
                            Order.status == OrderStatus.AWAITING_PAYMENT,
                            or_(Order.payment_method_kind == PaymentMethodKind.AT_STUDIO,
                                Order.appointment_id.is_not(None)))
        .order_by(Order.created_at)).all()


@dataclass
class Owed:
    """One thing the customer owes at a studio's desk: an unpaid order or a booked session."""

    what: dict  # a translation map
    studio: Studio
    amount_minor: int
    currency: str
    starts_at: object = None  # a session's start (aware UTC)
    timezone: str | None = None
    card: bool = False  # waiting for a card payment (the order's page pays it)
    order_id: int | None = None


def list_owed(user) -> list[Owed]:
    """What the customer owes at the desk: pay-at-the-studio orders and fees, then the booked
    1:1 sessions with a price."""
    orders = list_unpaid_orders(user)
    studios = studios_by_id({o.studio_id for o in orders})
    sessions = {a.id: a for a in db.session.scalars(select(Appointment).where(
        Appointment.id.in_({o.appointment_id or o.fee_appointment_id for o in orders} - {None})))}
    owed = []
    for o in orders:
        session = sessions.get(o.appointment_id or o.fee_appointment_id)
        owed.append(Owed(o.description, studios[o.studio_id], o.gross_minor - o.paid_minor,
                         o.currency, session.starts_at if session else None,
                         session.location.timezone if session else None,
                         card=o.is_card, order_id=o.id))
    # Sessions booked before they were paid for (no order, no credit): their price is owed.
    booked = list_unpaid_sessions(user)
    ids = [a.id for a in booked]
    known = set(db.session.scalars(
        select(Order.appointment_id).where(Order.appointment_id.in_(ids))
        .union(select(CreditEntry.appointment_id).where(CreditEntry.appointment_id.in_(ids))))
    ) if ids else set()
    owed += [Owed(dict(a.session_type.name), a.studio, a.session_type.price_minor,
                  a.session_type.currency, a.starts_at, a.location.timezone)
             for a in booked if a.id not in known]
    return owed


def list_my_invoices(user) -> list[Invoice]:
    """The customer's invoices and credit notes, newest first."""
    return db.session.scalars(
        select(Invoice).where(Invoice.customer_id == user.id)
        .order_by(Invoice.issued_at.desc(), Invoice.id.desc())).all()


def get_own_invoice_or_404(user, invoice_id: int) -> Invoice:
    """One of the customer's own documents with its PDF bytes; anyone else's is a 404."""
    invoice = db.session.scalar(select(Invoice).where(Invoice.id == invoice_id)
                                .options(undefer(Invoice.pdf)))
    if invoice is None or invoice.customer_id != user.id:
        abort(404)
    return invoice


def get_own_order_or_404(user, order_id: int) -> Order:
    """One of the customer's own orders; anyone else's is a 404."""
    order = db.session.get(Order, order_id)
    if order is None or order.customer_id != user.id:
        abort(404)
    return order


def pass_of_order(order: Order) -> Pass | None:
    """The pass an order granted (none for a fee, or before it is paid by card)."""
    return db.session.scalar(select(Pass).where(Pass.order_id == order.id))


def order_context(order: Order) -> dict:
    """What the customer's order page and its status fragment show: the studio, the class
    booked with it, the pass it granted, its invoice and the booking."""
    cls = db.session.get(ScheduledClass, order.booking_class_id) if order.booking_class_id else None
    return {"order": order, "studio": db.session.get(Studio, order.studio_id), "cls": cls,
            "pass_": db.session.scalar(select(Pass).where(Pass.order_id == order.id)),
            "invoice": invoice_of(order),
            "booking": active_booking(cls, order.customer) if cls is not None else None}
