"""Payments and refunds: desk payments recorded, card refunds through Stripe, credit notes.

Card calls go through `app.billing.stripe.gateway` (the only module that talks to Stripe).
"""

import logging

from sqlalchemy import func, select

from app.audit.services import record
from app.billing.errors import (
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
    Refund,
)
from app.billing.services import taxes
from app.billing.services.documents import issue_credit_note
from app.billing.services.orders import lock_order, mark_paid, tax_lines
from app.billing.stripe import gateway as stripe_gateway
from app.core.db import utcnow
from app.core.i18n import format_money
from app.extensions import db
from app.memberships.models import Pass
from app.memberships.services import revoke_unused

log = logging.getLogger(__name__)


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
        mark_paid(studio, order, payment, now)
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
    breakdown = refund_breakdown(order, amount_minor)
    issue_credit_note(studio, order, refund, breakdown, now=now)
    if sum(p.refundable_minor for p in order.payments) == 0:
        for pass_ in db.session.scalars(select(Pass).where(Pass.order_id == order.id)):
            revoke_unused(pass_, actor=actor)
    record("payment.refunded", actor=actor, studio_id=studio.id, subject=f"payment:{payment.id}",
           amount_minor=amount_minor, reason=reason)
    return refund


def refund_breakdown(order: Order, amount_minor: int) -> dict:
    """Split a refunded gross amount into net and taxes at the order's frozen rates."""
    components = [taxes.TaxComponent.from_line(t) for t in order.taxes]
    breakdown = taxes.compute(amount_minor, components, inclusive=True)
    return {"net_minor": breakdown.net_minor, "taxes": tax_lines(breakdown),
            "gross_minor": breakdown.gross_minor}
