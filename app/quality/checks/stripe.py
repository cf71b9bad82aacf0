"""Card payments reconciled with the studio's Stripe account: charges and refunds Stripe made
that FitFlow never applied, and card payments or refunds FitFlow recorded that Stripe does not
have. Looks back WINDOW (older differences were settled by the nightly runs before them)."""

from datetime import timedelta

import stripe
from sqlalchemy import select

from app.billing.models import Order, Payment, PaymentMethod, Refund
from app.billing.stripe.gateway import client_for
from app.core.db import utcnow
from app.extensions import db
from app.quality.checks.base import CheckUnavailable, Finding

WINDOW = timedelta(days=90)
# Our records a moment old only: a payment applied from a webhook a second ago is at Stripe.
SETTLE = timedelta(minutes=10)


def _at_stripe(studio, since):
    """The studio's succeeded charges by PaymentIntent and its succeeded refunds by id."""
    params = {"created": {"gte": int(since.timestamp())}, "limit": 100}
    try:
        client = client_for(studio).v1
        charges = [c.to_dict() for c in client.charges.list(params).auto_paging_iter()]
        refunds = [r.to_dict() for r in client.refunds.list(params).auto_paging_iter()]

    except stripe.StripeError as exc:
        raise CheckUnavailable(str(exc)) from exc
    return ({c.get("payment_intent") or c["id"]: c for c in charges
             if c.get("status") == "succeeded" and c.get("paid")},
            {r["id"]: r for r in refunds if r.get("status") in ("succeeded", "pending")})


def _order_of(studio, metadata) -> int | None:
    order_id = (metadata or {}).get("order_id", "")
    if not str(order_id).isdigit():
        return None
    return db.session.scalar(select(Order.id).where(Order.studio_id == studio.id,
                                                    Order.id == int(order_id)))


def unreconciled_card_payments(studio) -> list[Finding]:
    """Stripe and FitFlow disagree on a card payment or refund of the last WINDOW."""
    if not studio.stripe_secret_key:
        return []
    now = utcnow()
    since = now - WINDOW
    charges, refunds = _at_stripe(studio, since)
    payments = db.session.scalars(select(Payment).where(
        Payment.studio_id == studio.id, Payment.method == PaymentMethod.STRIPE,
        Payment.received_at >= since)).all()
    ours = db.session.scalars(select(Refund).join(Payment, Payment.id == Refund.payment_id).where(
        Refund.studio_id == studio.id, Payment.method == PaymentMethod.STRIPE,
        Refund.stripe_refund_id.is_not(None), Refund.created_at >= since)).all()
    known = {p.stripe_payment_intent_id for p in payments}
    known_refunds = {r.stripe_refund_id for r in ours}
    findings = []
    for key, charge in charges.items():
        if key not in known and not _applied_earlier(studio, key):
            order_id = _order_of(studio, charge.get("metadata"))
            findings.append(Finding(
                "charge_not_applied", [order_id] if order_id else [],
                "billing_manage.order" if order_id else "billing_manage.orders",
                {"order_id": order_id} if order_id else {},
                {"charge": charge["id"], "amount": charge["amount"],
                 "currency": charge["currency"].upper()}))
    for payment in payments:
        if payment.stripe_payment_intent_id not in charges and payment.received_at < now - SETTLE:
            findings.append(Finding(
                "payment_not_at_stripe", [payment.order_id], "billing_manage.order",
                {"order_id": payment.order_id},
                {"reference": payment.stripe_payment_intent_id or payment.reference,
                 "amount": payment.amount_minor, "currency": payment.currency}))
    for refund_id, refund in refunds.items():
        if refund_id not in known_refunds and not _refund_recorded(studio, refund_id):
            findings.append(Finding(
                "refund_not_applied", [], "billing_manage.orders", {},
                {"refund": refund_id, "amount": refund["amount"],
                 "currency": refund["currency"].upper()}))
    for refund in ours:
        if refund.stripe_refund_id not in refunds and refund.created_at < now - SETTLE:
            order_id = refund.payment.order_id
            findings.append(Finding(
                "refund_not_at_stripe", [order_id], "billing_manage.order",
                {"order_id": order_id},
                {"refund": refund.stripe_refund_id, "amount": refund.amount_minor,
                 "currency": refund.payment.currency}))
    return findings


def _applied_earlier(studio, intent: str) -> bool:
    """A charge created in the window for a payment recorded before it (rare clock skew)."""
    return db.session.scalar(select(Payment.id).where(
        Payment.studio_id == studio.id, Payment.stripe_payment_intent_id == intent)) is not None


def _refund_recorded(studio, refund_id: str) -> bool:
    return db.session.scalar(select(Refund.id).where(
        Refund.studio_id == studio.id, Refund.stripe_refund_id == refund_id)) is not None
