"""1:1 sessions paid: a credit of an eligible pass, or an order for the session's price (taxed
at the session's location) paid by card (Stripe Checkout) or at the desk. The provider billing
installs behind app/appointments/entitlements.py.

Locks, in the order classes take them: the customer's row (their orders) when an order will be
placed, else their passes; then the coach (appointments); on cancel the pass that paid, or the
session's order, before the coach.
"""

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.appointments.entitlements import FREE, FreeSessions, PayBy, SessionHold, SessionReleased
from app.appointments.errors import NoWayToPay, PaymentNotOffered
from app.billing.errors import CardsNotAccepted
from app.billing.models import Order, OrderStatus, PaymentMethodKind
from app.billing.services.orders import (
    lock_customer_orders,
    lock_order,
    tax_breakdown,
    tax_lines,
)
from app.billing.services.payments import refund_payment
from app.billing.services.selling import selling_location
from app.core.errors import DomainError
from app.core.i18n import format_money, translated
from app.extensions import db
from app.memberships.models import Plan
from app.memberships.services import return_credit
from app.memberships.session_credits import (
    lock_session_pass,
    pick_session_pass,
    session_debit,
    session_passes,
    spend_session_credit,
)


def session_order(appointment) -> Order | None:
    """The order for the session's price, if it was paid with one."""
    return db.session.scalar(select(Order).where(Order.appointment_id == appointment.id))


def _describe(session_type, *, fee: bool = False) -> dict:
    out = {}
    for lang in ("en", "ar"):
        with force_locale(lang):
            name = session_type.name.get(lang) or next(iter(session_type.name.values()), "")
            out[lang] = (_("Late cancellation fee: %(name)s", name=name) if fee
                         else _("1:1 session: %(name)s", name=name))
    return out


def _order(studio, appointment, amount_minor: int, *, method: PaymentMethodKind,
           fee: bool = False) -> Order:
    """An order for the session (its price, or its late fee), taxed at its location."""
    session_type = appointment.session_type
    location = selling_location(studio, appointment=appointment)
    breakdown = tax_breakdown(studio, amount_minor, location=location)
    order = Order(studio_id=studio.id, customer_id=appointment.customer_id, plan_id=None,
                  location_id=location.id, status=OrderStatus.AWAITING_PAYMENT,
                  currency=session_type.currency, description=_describe(session_type, fee=fee),
                  unit_minor=amount_minor, net_minor=breakdown.net_minor,
                  tax_minor=breakdown.tax_minor, gross_minor=breakdown.gross_minor,
                  taxes=tax_lines(breakdown), prices_include_tax=studio.prices_include_tax,
                  payment_method_kind=method, customer=appointment.customer)
    if fee:
        order.fee_appointment_id = appointment.id
    else:
        order.appointment_id = appointment.id
    db.session.add(order)
    db.session.flush()
    return order


class PaidSessions(FreeSessions):
    def plan_choices(self, studio):
        plans = db.session.scalars(select(Plan).where(
            Plan.studio_id == studio.id, Plan.credits.is_not(None)).order_by(Plan.id))
        return [(p.id, translated(p.name)) for p in plans]

    def ways_to_pay(self, studio, customer, session_type, starts_at) -> list[PayBy]:
        ways = []
        if session_passes(studio, customer, session_type, starts_at, lock=False):
            ways.append(PayBy.CREDIT)
        if session_type.price_minor > 0:
            if studio.takes_cards:
                ways.append(PayBy.CARD)
            ways.append(PayBy.DESK)
        return ways

    def hold(self, studio, customer, session_type, starts_at, pay_by):
        if session_type.is_free:
            return FREE
        priced = session_type.price_minor > 0
        if priced and pay_by != PayBy.CREDIT:
            lock_customer_orders(customer)  # an order may be placed: their row before passes
        if pay_by is None:  # the customer's credit first, else the price owed at the desk
            found = session_passes(studio, customer, session_type, starts_at, lock=True)
            if found:
                return SessionHold(PayBy.CREDIT, found[0])
            if not priced:
                return SessionHold(refusal=NoWayToPay())
            pay_by = PayBy.DESK
        if pay_by == PayBy.CREDIT:
            try:
                return SessionHold(PayBy.CREDIT, pick_session_pass(
                    studio, customer, session_type, starts_at, lock=True))
            except DomainError:
                return SessionHold(refusal=NoWayToPay())
        if not priced:
            return SessionHold(refusal=PaymentNotOffered())
        if pay_by == PayBy.CARD and not studio.takes_cards:
            return SessionHold(refusal=CardsNotAccepted())
        return SessionHold(pay_by)

    def pay(self, studio, appointment, hold, *, actor, now):
        if hold.refusal is not None:
            raise hold.refusal
        if hold.pay_by == PayBy.CREDIT:
            spend_session_credit(hold.source, appointment, now=now)
            return None
        if hold.pay_by is None:
            return None
        method = PaymentMethodKind.CARD if hold.pay_by == PayBy.CARD \
            else PaymentMethodKind.AT_STUDIO
        return _order(studio, appointment, appointment.session_type.price_minor, method=method)

    def lock_paid(self, appointment) -> None:
        lock_session_pass(appointment)
        order = session_order(appointment)
        if order is not None:
            lock_order(order)

    def release(self, studio, appointment, *, late, actor, now):
        session_type = appointment.session_type
        debit = session_debit(appointment)
        order = session_order(appointment)
        if not late:
            if debit is not None:
                return_credit(appointment=appointment, actor=actor)
                return SessionReleased(_("Cancelled — your credit is back."))
            if order is None:
                return SessionReleased(_("Your session is cancelled."))
            if order.status == OrderStatus.AWAITING_PAYMENT and not order.payments:
                order.status = OrderStatus.CANCELLED
                db.session.flush()
                return SessionReleased(_("Cancelled — nothing is owed for this session."))
            for payment in order.payments:
                if payment.refundable_minor > 0:
                    refund_payment(studio, payment, amount_minor=payment.refundable_minor,
                                   actor=actor, reason=_("Session cancelled in time"), now=now)
            if order.status == OrderStatus.AWAITING_PAYMENT:
                order.status = OrderStatus.CANCELLED
                db.session.flush()
            return SessionReleased(_("Cancelled — your payment is refunded."))
        # Late: what paid is kept; a session not paid by its price owes the type's fee.
        fee = None
        if order is None and session_type.late_cancel_fee_minor > 0:
            fee = _order(studio, appointment, session_type.late_cancel_fee_minor,
                         method=PaymentMethodKind.AT_STUDIO, fee=True)
        money = format_money(fee.gross_minor, fee.currency) if fee else None
        if debit is not None and money:
            return SessionReleased(_("Late cancel — 1 credit used, fee %(fee)s owed at the "
                                     "desk.", fee=money))
        if debit is not None:
            return SessionReleased(_("Late cancel — 1 credit used."))
        if money:
            return SessionReleased(_("Late cancel — fee %(fee)s owed at the desk.", fee=money))
        if order is not None:
            return SessionReleased(_("Late cancel — the session's price is not refunded."))
        return SessionReleased(_("Late cancel — the studio records it as a late "
                                 "cancellation."))

    def describe_cancel(self, studio, appointment, *, late):
        session_type = appointment.session_type
        debit = session_debit(appointment)
        order = session_order(appointment)
        if not late:
            if debit is not None:
                return _("You keep your credit: it goes back to your pass.")
            if order is not None and order.payments:
                return _("Your payment is refunded.")
            return None
        if debit is not None:
            return _("1 credit is used.")
        if order is not None:
            return _("The session's price is not refunded.")
        if session_type.late_cancel_fee_minor > 0:
            return _("A fee of %(fee)s is charged.", fee=format_money(
                session_type.late_cancel_fee_minor, session_type.currency))
        return None
