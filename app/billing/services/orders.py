"""Orders: what a plan costs with its taxes, placing an order, locking it, marking it paid.

Money is integer minor units. Taxes are computed per line when the order is placed and
frozen on it; invoices are issued when an order is fully paid. Services flush; the caller commits.
"""

import logging
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.billing.errors import (
    CardsNotAccepted,
    NotSoldHere,
    TooManyUnpaid,
)
from app.billing.models import (
    Order,
    OrderStatus,
    Payment,
    PaymentMethodKind,
)
from app.billing.services import taxes
from app.billing.services.documents import issue_invoice
from app.billing.services.selling import selling_location
from app.core.db import utcnow
from app.core.i18n import translations_of
from app.extensions import db
from app.memberships.models import Plan
from app.memberships.services import check_can_buy, grant_pass
from app.studios.policies import check_open

log = logging.getLogger(__name__)


def tax_lines(breakdown) -> list[dict]:
    """The breakdown's taxes as frozen on orders: each name a content map in every language
    ({"en": "HST", "ar": …}), so each reader and each invoice language finds its own."""
    return [{"code": t.code, "name": translations_of(t.name), "rate": str(t.rate),
             "amount_minor": t.amount_minor} for t in breakdown.taxes]


def tax_breakdown(studio, amount_minor: int, *, on=None, quantity: int = 1, location=None):
    """Net, taxes and gross of `amount_minor` sold now at `location` (the studio's default
    location unless told, see selling.py): in its jurisdiction and on its local date."""
    location = location or studio.default_location
    on = (on or utcnow()).astimezone(ZoneInfo(location.timezone)).date()  # the local tax point
    custom = studio.custom_taxes or ()
    if location.tax_jurisdiction:
        components = taxes.rules_for(location.tax_jurisdiction, on, custom)
    else:
        components = [r.component for r in map(taxes.custom_rule, custom) if r.is_in_force(on)]
    return taxes.compute(amount_minor, components, inclusive=studio.prices_include_tax,
                         quantity=quantity)


def price(studio, plan, *, on=None, quantity: int = 1, location=None):
    """The tax breakdown of buying `plan` today (at `location`, else the default location)."""
    return tax_breakdown(studio, plan.price_minor, on=on, quantity=quantity, location=location)


def place_order(studio, plan, customer, *, actor, idempotency_key: str | None = None,
                now=None, method: PaymentMethodKind = PaymentMethodKind.AT_STUDIO,
                booking_class=None) -> Order:
    """Sell `plan` to `customer`. Paid at the studio (the default): the pass is theirs at once
    and the order waits for staff to record the payment. By card: the order waits for Stripe to
    confirm the payment, which grants the pass and books `booking_class` (remembered on the
    order). The same key twice from one customer is one order."""
    now = now or utcnow()
    check_open(studio)
    if method == PaymentMethodKind.CARD and not studio.takes_cards:
        raise CardsNotAccepted()
    lock_customer_orders(customer)
    if idempotency_key:
        existing = db.session.scalar(select(Order).where(
            Order.customer_id == customer.id, Order.idempotency_key == idempotency_key))
        if existing is not None:
            return existing
    check_can_buy(studio, plan, customer)
    location = selling_location(studio, booking_class=booking_class)
    # A plan is priced in the studio's currency; a class elsewhere must sell in the same one.
    if location.id != studio.default_location_id and location.currency != plan.currency:
        raise NotSoldHere(currency=plan.currency)
    breakdown = price(studio, plan, on=now, location=location)
    if method == PaymentMethodKind.AT_STUDIO and breakdown.gross_minor > 0:
        check_unpaid_cap(studio, plan, customer)
    order = Order(studio_id=studio.id, customer_id=customer.id, plan_id=plan.id,
                  status=OrderStatus.AWAITING_PAYMENT, currency=plan.currency,
                  description=dict(plan.name), unit_minor=plan.price_minor,
                  net_minor=breakdown.net_minor,
                  tax_minor=breakdown.gross_minor - breakdown.net_minor,
                  gross_minor=breakdown.gross_minor, taxes=tax_lines(breakdown),
                  prices_include_tax=studio.prices_include_tax, idempotency_key=idempotency_key,
                  customer=customer, plan=plan, payment_method_kind=method,
                  booking_class_id=booking_class.id if booking_class is not None else None,
                  location_id=location.id)
    if order.gross_minor == 0:
        order.payment_method_kind = PaymentMethodKind.AT_STUDIO  # nothing to pay by card
    db.session.add(order)
    db.session.flush()
    if order.is_card:
        return order
    grant_pass(studio, plan, customer, order=order, actor=actor, now=now)
    if order.gross_minor == 0:
        mark_paid(studio, order, None, now)
    return order


def lock_customer_orders(customer) -> None:
    """One order of a customer at a time: the replay of a key and the cap on unpaid orders
    count what is there, so two taps (or two tabs) must not both count before either writes.
    The customer's own row is the lock; no other path locks users, so it orders with nothing."""
    db.session.execute(select(User.id).where(User.id == customer.id).with_for_update())


def check_unpaid_cap(studio, plan, customer) -> None:
    """Refuse another pay-at-the-studio order while the customer already leaves the studio's
    cap of this plan kind unpaid (TooManyUnpaid)."""
    cap = studio.unpaid_orders_per_kind
    if cap <= 0:
        return
    unpaid = db.session.scalar(
        select(func.count(Order.id)).join(Plan, Plan.id == Order.plan_id)
        .where(Order.studio_id == studio.id, Order.customer_id == customer.id,
               Order.status == OrderStatus.AWAITING_PAYMENT,
               Order.payment_method_kind == PaymentMethodKind.AT_STUDIO, Plan.kind == plan.kind))
    if unpaid >= cap:
        raise TooManyUnpaid()


def mark_paid(studio, order: Order, payment: Payment | None, now) -> None:
    order.status = OrderStatus.PAID
    order.paid_at = now
    db.session.flush()
    issue_invoice(studio, order, now=now, payment=payment)


_LOCKED_ORDERS = "fitflow_locked_orders"  # Session.info: order id -> (transaction, order)


def _still_held(taken_in) -> bool:
    """A row lock lasts as long as the (sub)transaction that took it: a savepoint rolled back
    released it, and so did the end of the transaction."""
    return taken_in.is_active


def lock_order(order: Order | int, *, studio_id: int | None = None) -> Order | None:
    """The order (or the order with this id, of `studio_id` when given) re-read under a row
    lock: every payment and Stripe event of one order queues up here. None: no such order.

    Once per transaction: asked again while the (sub)transaction that took the lock is open,
    it answers the order it read then, which no one else can have changed since (a Stripe
    payment locks the order to look at it, then records the payment)."""
    order_id = order if isinstance(order, int) else order.id
    session = db.session()
    held = session.info.get(_LOCKED_ORDERS, {}).get(order_id)
    if held is not None and _still_held(held[0]) and studio_id in (None, held[1].studio_id):
        return held[1]
    # With its customer and plan (the invoice, the pass and Stripe's customer id need them):
    # joined in, the order row alone locked.
    query = (select(Order).where(Order.id == order_id)
             .options(joinedload(Order.customer), joinedload(Order.plan),
                      joinedload(Order.groups)))
    if studio_id is not None:
        query = query.where(Order.studio_id == studio_id)
    locked = session.execute(query.with_for_update(of=Order)
                             .execution_options(populate_existing=True)).unique() \
        .scalar_one_or_none()
    if locked is not None:
        taken_in = session.get_nested_transaction() or session.get_transaction()
        session.info.setdefault(_LOCKED_ORDERS, {})[order_id] = (taken_in, locked)
    return locked
