"""Orders, payments and refunds. Services flush; the caller commits once.

Money is integer minor units. Taxes are computed per line when the order is placed and
frozen on it; invoices are issued when an order is fully paid; refunds issue credit notes.
Card payments go through `stripe_gateway` (the only module that talks to Stripe).
"""

import logging
import time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.audit.services import record
from app.billing import stripe_gateway, taxes
from app.billing.documents import issue_credit_note, issue_invoice
from app.billing.errors import (
    CardsNotAccepted,
    InvalidAmount,
    NotRefundableByCard,
    OrderNotPayable,
    OverPayment,
    RefundTooLarge,
)
from app.billing.models import (
    Order,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentMethodKind,
    Refund,
    StripeCustomer,
    StripeSubscription,
)
from app.bookings.services import book_class
from app.core.db import utcnow
from app.core.errors import DomainError
from app.core.i18n import format_money
from app.extensions import db
from app.memberships.models import Pass
from app.memberships.services import cancel_membership, check_can_buy, grant_pass, revoke_unused

log = logging.getLogger(__name__)


def _tax_lines(breakdown) -> list[dict]:
    return [{"code": t.code, "name": str(t.name), "rate": str(t.rate), "amount_minor": t.amount_minor}
            for t in breakdown.taxes]


def tax_breakdown(studio, amount_minor: int, *, on=None, quantity: int = 1):
    """Net, taxes and gross of `amount_minor` sold now at the studio's first location."""
    location = studio.locations[0]
    on = (on or utcnow()).astimezone(ZoneInfo(location.timezone)).date()  # the local tax point
    custom = studio.custom_taxes or ()
    if location.tax_jurisdiction:
        components = taxes.rules_for(location.tax_jurisdiction, on, custom)
    else:
        components = [r.component for r in map(taxes.custom_rule, custom) if r.is_in_force(on)]
    return taxes.compute(amount_minor, components, inclusive=studio.prices_include_tax,
                         quantity=quantity)


def price(studio, plan, *, on=None, quantity: int = 1):
    """The tax breakdown of buying `plan` today."""
    return tax_breakdown(studio, plan.price_minor, on=on, quantity=quantity)


def place_order(studio, plan, customer, *, actor, idempotency_key: str | None = None,
                now=None, method: PaymentMethodKind = PaymentMethodKind.AT_STUDIO,
                booking_class=None) -> Order:
    """Sell `plan` to `customer`. Paid at the studio (the default): the pass is theirs at once
    and the order waits for staff to record the payment. By card: the order waits for Stripe to
    confirm the payment, which grants the pass and books `booking_class` (remembered on the
    order). The same key twice is one order."""
    now = now or utcnow()
    if method == PaymentMethodKind.CARD and not studio.takes_cards:
        raise CardsNotAccepted()
    if idempotency_key:
        existing = db.session.scalar(select(Order).where(Order.idempotency_key == idempotency_key))
        if existing is not None and existing.customer_id == customer.id:
            return existing
    check_can_buy(studio, plan, customer)
    breakdown = price(studio, plan, on=now)
    order = Order(studio_id=studio.id, customer_id=customer.id, plan_id=plan.id,
                  status=OrderStatus.AWAITING_PAYMENT, currency=plan.currency,
                  description=dict(plan.name), unit_minor=plan.price_minor,
                  net_minor=breakdown.net_minor, tax_minor=breakdown.gross_minor - breakdown.net_minor,
                  gross_minor=breakdown.gross_minor, taxes=_tax_lines(breakdown),
                  prices_include_tax=studio.prices_include_tax, idempotency_key=idempotency_key,
                  customer=customer, plan=plan, payment_method_kind=method,
                  booking_class_id=booking_class.id if booking_class is not None else None)
    if order.gross_minor == 0:
        order.payment_method_kind = PaymentMethodKind.AT_STUDIO  # nothing to pay by card
    db.session.add(order)
    db.session.flush()
    if order.is_card:
        return order
    grant_pass(studio, plan, customer, order=order, actor=actor, now=now)
    if order.gross_minor == 0:
        _mark_paid(studio, order, None, now)
    return order


def _mark_paid(studio, order: Order, payment: Payment | None, now) -> None:
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
             .options(joinedload(Order.customer), joinedload(Order.plan)))
    if studio_id is not None:
        query = query.where(Order.studio_id == studio_id)
    locked = session.scalar(query.with_for_update(of=Order)
                            .execution_options(populate_existing=True))
    if locked is not None:
        taken_in = session.get_nested_transaction() or session.get_transaction()
        session.info.setdefault(_LOCKED_ORDERS, {})[order_id] = (taken_in, locked)
    return locked


def record_payment(studio, order: Order, *, amount_minor: int, method: PaymentMethod, actor,
                   reference: str = "", now=None,
                   stripe_payment_intent_id: str | None = None) -> Payment:
    """Record money received for an order; the invoice is issued once it is paid in full."""
    now = now or utcnow()
    if amount_minor <= 0:
        raise InvalidAmount()
    order = lock_order(order)
    if order.status != OrderStatus.AWAITING_PAYMENT:
        raise OrderNotPayable()
    if amount_minor > order.gross_minor - order.paid_minor:
        raise OverPayment()
    payment = Payment(studio_id=studio.id, order=order, amount_minor=amount_minor,
                      currency=order.currency, method=method, reference=reference,
                      recorded_by_id=actor.id if actor else None, received_at=now,
                      stripe_payment_intent_id=stripe_payment_intent_id)
    db.session.add(payment)
    db.session.flush()
    record("payment.recorded", actor=actor, studio_id=studio.id, subject=f"order:{order.id}",
           amount_minor=amount_minor, method=str(method))
    if order.paid_minor == order.gross_minor:
        _mark_paid(studio, order, payment, now)
    return payment


def lock_payment(payment: Payment) -> Payment:
    """Re-read the payment under a row lock: refunds of one payment queue up."""
    return db.session.scalar(select(Payment).where(Payment.id == payment.id).with_for_update()
                             .execution_options(populate_existing=True))


def refund_payment(studio, payment: Payment, *, amount_minor: int, actor, reason: str = "",
                   now=None) -> Refund:
    """Refund part or all of a payment and issue a credit note. The payment row is locked, so
    two refunds at once can never return more than was paid. A card payment is refunded at
    Stripe first: when Stripe does not confirm, this raises and nothing is recorded."""
    now = now or utcnow()
    if amount_minor <= 0:
        raise InvalidAmount()
    payment = lock_payment(payment)
    if amount_minor > payment.refundable_minor:
        raise RefundTooLarge(amount=format_money(payment.refundable_minor, payment.currency))
    stripe_refund_id = None
    if payment.method == PaymentMethod.STRIPE:
        stripe_refund_id = _refund_at_stripe(studio, payment, amount_minor)
        known = db.session.scalar(select(Refund).where(Refund.stripe_refund_id == stripe_refund_id))
        if known is not None:  # a retry whose first answer was lost; the webhook recorded it
            return known
    return record_refund(studio, payment, amount_minor=amount_minor, actor=actor, reason=reason,
                         stripe_refund_id=stripe_refund_id, now=now)


def _refund_at_stripe(studio, payment: Payment, amount_minor: int) -> str:
    if not payment.stripe_payment_intent_id:
        raise NotRefundableByCard()
    # The key names this refund by the refunds made here before it: a retry of the same refund
    # (after a lost answer) sends the same key and Stripe refunds once; the next refund
    # gets a new key. Refunds made in Stripe's dashboard carry no key of ours and do not count.
    made_here = db.session.scalar(select(func.count()).select_from(Refund).where(
        Refund.payment_id == payment.id, Refund.made_in_stripe.is_(False)))
    key = f"refund-{payment.id}-{made_here + 1}-{amount_minor}"
    return stripe_gateway.create_refund(studio, payment, amount_minor, idempotency_key=key)


def record_refund(studio, payment: Payment, *, amount_minor: int, actor, reason: str = "",
                  stripe_refund_id: str | None = None, made_in_stripe: bool = False,
                  now=None) -> Refund:
    """Record money returned on a locked payment: the refund, its credit note and, once nothing
    is left to refund, the order's passes lose their unused credits."""
    now = now or utcnow()
    if amount_minor > payment.refundable_minor:
        raise RefundTooLarge(amount=format_money(payment.refundable_minor, payment.currency))
    payment.refunded_minor += amount_minor
    refund = Refund(studio_id=studio.id, payment_id=payment.id, amount_minor=amount_minor,
                    reason=reason, created_by_id=actor.id if actor else None,
                    reference=stripe_refund_id or "", stripe_refund_id=stripe_refund_id,
                    made_in_stripe=made_in_stripe)
    db.session.add(refund)
    db.session.flush()
    order = payment.order
    breakdown = _refund_breakdown(order, amount_minor)
    issue_credit_note(studio, order, refund, breakdown, now=now)
    if sum(p.refundable_minor for p in order.payments) == 0:
        for pass_ in db.session.scalars(select(Pass).where(Pass.order_id == order.id)):
            revoke_unused(pass_, actor=actor)
    record("payment.refunded", actor=actor, studio_id=studio.id, subject=f"payment:{payment.id}",
           amount_minor=amount_minor, reason=reason)
    return refund


def _refund_breakdown(order: Order, amount_minor: int) -> dict:
    """Split a refunded gross amount into net and taxes at the order's frozen rates."""
    components = [taxes.TaxComponent.from_line(t) for t in order.taxes]
    breakdown = taxes.compute(amount_minor, components, inclusive=True)
    return {"net_minor": breakdown.net_minor, "taxes": _tax_lines(breakdown),
            "gross_minor": breakdown.gross_minor}


# --- Card payments ----------------------------------------------------------------------------


def stripe_customer_id(studio, user) -> str:
    """The user's customer id in the studio's Stripe account, made once and then reused."""
    known = db.session.scalar(select(StripeCustomer.customer_id).where(
        StripeCustomer.studio_id == studio.id, StripeCustomer.user_id == user.id))
    if known:
        return known
    customer_id = stripe_gateway.create_customer(studio, user)
    remember_customer(studio, user, customer_id)
    return customer_id


def remember_customer(studio, user, customer_id: str) -> None:
    """Keep the first Stripe customer id seen for (studio, user)."""
    if not db.session.scalar(select(StripeCustomer.id).where(
            StripeCustomer.studio_id == studio.id, StripeCustomer.user_id == user.id)):
        db.session.add(StripeCustomer(studio_id=studio.id, user_id=user.id,
                                      customer_id=customer_id))
        db.session.flush()


def start_checkout(studio, order: Order, *, success_url: str, cancel_url: str) -> str:
    """Open (or, for the same order, reopen) Stripe Checkout for a card order; returns the
    address to send the customer to."""
    if not order.is_card or order.status != OrderStatus.AWAITING_PAYMENT:
        raise OrderNotPayable()
    session = stripe_gateway.create_checkout_session(
        studio, order, success_url=success_url, cancel_url=cancel_url,
        customer_id=stripe_customer_id(studio, order.customer))
    order.stripe_checkout_session_id = session.id
    db.session.flush()
    return session.url


def deliver_card_order(studio, order: Order, *, now, period=None) -> Pass:
    """Grant what a paid card order bought (once), for `period` (start, end) when Stripe bills
    it, and book the class it was bought for while that is still possible; otherwise the
    customer just has the pass."""
    pass_ = db.session.scalar(select(Pass).where(Pass.order_id == order.id))
    if pass_ is not None:
        return pass_
    pass_ = grant_pass(studio, order.plan, order.customer, order=order, now=now)
    if period and period[0] and period[1]:
        pass_.starts_at, pass_.expires_at = period
        db.session.flush()
    if order.booking_class_id:
        from app.schedule.models import ScheduledClass

        cls = db.session.get(ScheduledClass, order.booking_class_id)
        try:
            with db.session.begin_nested():
                book_class(studio, cls, order.customer, actor=order.customer, now=now)
        except DomainError as exc:
            log.info("order %s: class %s not booked: %s", order.id, cls.id, exc)
    return pass_


def place_renewal_order(studio, first: Order, *, amount_minor: int, invoice_id: str) -> Order:
    """A membership's next period, billed by its Stripe subscription: the first order's plan
    and frozen tax rates, for what Stripe charged."""
    if amount_minor == first.gross_minor:
        net, tax_lines = first.net_minor, first.taxes
    else:
        split = _refund_breakdown(first, amount_minor)
        net, tax_lines = split["net_minor"], split["taxes"]
    order = Order(studio_id=studio.id, customer_id=first.customer_id, plan_id=first.plan_id,
                  status=OrderStatus.AWAITING_PAYMENT, currency=first.currency,
                  description=dict(first.description), unit_minor=net, net_minor=net,
                  tax_minor=amount_minor - net, gross_minor=amount_minor, taxes=tax_lines,
                  prices_include_tax=first.prices_include_tax,
                  payment_method_kind=PaymentMethodKind.CARD,
                  stripe_subscription_id=first.stripe_subscription_id,
                  stripe_invoice_id=invoice_id, customer=first.customer, plan=first.plan)
    db.session.add(order)
    db.session.flush()
    return order


def stop_membership(pass_: Pass, *, actor) -> Pass:
    """Stop a membership from renewing; one paid by card also stops its Stripe subscription
    (first, so a Stripe error leaves everything as it was)."""
    sub = db.session.scalar(select(StripeSubscription).where(
        StripeSubscription.order_id == pass_.order_id)) if pass_.order_id else None
    if sub is not None and not sub.ended and pass_.plan.is_membership:
        from app.studios.models import Studio

        stripe_gateway.stop_renewal(db.session.get(Studio, sub.studio_id), sub.subscription_id)
        sub.cancel_at_period_end = True
        sub.state_at = max(sub.state_at, int(time.time()))  # snapshots before the stop are stale
    return cancel_membership(pass_, actor=actor)
