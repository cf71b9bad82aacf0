"""Stripe webhook events applied: one handler per event type, each create-or-update keyed on
Stripe's own ids (how an event arrives, is stored and queued: app/billing/stripe_inbox.py).

Stripe delivers in any order and more than once, so any order of delivery with any number of
duplicates ends the same:
- a payment is recorded once per PaymentIntent or subscription invoice (unique columns too);
  money that arrives after a failure or an expiry still pays the order;
- everything about a subscription hangs on its id (our first order rides in its metadata):
  periods only grow, the cancel flag follows the newest snapshot (the event's `created`), an end
  is final, and the membership pass mirrors that whenever it exists;
- an event that needs something not here yet (a refund of a payment not confirmed yet) is kept
  as deferred and applied again when that arrives.
"""

from datetime import UTC, datetime

from flask_babel import force_locale
from sqlalchemy import select

from app.billing.models import (
    Order,
    OrderStatus,
    Payment,
    PaymentMethod,
    Refund,
    StripeEvent,
    StripeSubscription,
)
from app.billing.notices import tell_renewal_failed
from app.billing.services.checkout import deliver_card_order, remember_customer
from app.billing.services.groups import release_group
from app.billing.services.orders import lock_order
from app.billing.services.payments import record_payment, record_refund
from app.billing.services.renewals import place_renewal_order
from app.billing.stripe import gateway as stripe_gateway
from app.core.errors import DomainError
from app.extensions import db
from app.memberships.models import Pass, PassStatus

HANDLERS = {}
PROCESSED = "processed"


class Deferred(Exception):
    """The event needs `key` (e.g. "pi:pi_123") first; it runs again when that is recorded."""

    def __init__(self, key: str, reason: str):
        super().__init__(reason)
        self.key, self.reason = key, reason


def handles(*types):
    def register(handler):
        for name in types:
            HANDLERS[name] = handler
        return handler
    return register


def apply_event(studio, row: StripeEvent, now) -> None:
    """Run the event's handler on its stored payload and record the outcome (the caller's
    transaction; a refused event leaves no half state behind)."""
    handler = HANDLERS.get(row.type)
    waiting = None
    if handler is None:
        outcome = "ignored"
    else:
        try:
            with db.session.begin_nested():  # a refused event leaves no half state behind
                outcome = handler(studio, row.payload["data"]["object"], row.payload, now)
        except Deferred as wait:
            outcome, waiting = f"deferred: {wait.reason}", wait.key
        except DomainError as exc:
            with force_locale("en"):
                outcome = f"failed: {exc}"
    row.outcome = outcome[:255]
    row.waiting_for = waiting
    row.processed_at = None if waiting else now
    db.session.flush()


def replay_waiting(studio, key: str, now) -> None:
    """Apply again the studio's events that were waiting for `key`."""
    for row in db.session.scalars(select(StripeEvent).where(
            StripeEvent.studio_id == studio.id, StripeEvent.waiting_for == key)
            .order_by(StripeEvent.id).with_for_update()).all():
        apply_event(studio, row, now)


# --- Lookups ----------------------------------------------------------------------------------


def _order_id(metadata) -> int | None:
    raw = str((metadata or {}).get("order_id", ""))
    return int(raw) if raw.isdecimal() and len(raw) < 10 else None


def _lock_order(studio, order_id: int | None) -> Order | None:
    """One of this studio's card orders, locked: every event about it queues up here."""
    if order_id is None:
        return None
    order = lock_order(order_id, studio_id=studio.id)
    return order if order is not None and order.is_card else None


def _timestamp(value) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value else None


def _subscription(studio, subscription_id: str,
                  metadata) -> tuple[StripeSubscription, Order] | None:
    """The subscription's row, made on first sight, and its first order, both locked (order
    first, always, so two events of one subscription cannot deadlock)."""
    known = db.session.scalar(select(StripeSubscription).where(
        StripeSubscription.subscription_id == subscription_id))
    if known is not None and known.studio_id != studio.id:
        return None
    order = _lock_order(studio, known.order_id if known else _order_id(metadata))
    if order is None:
        return None
    sub = db.session.scalar(select(StripeSubscription).where(
        StripeSubscription.subscription_id == subscription_id).with_for_update()
        .execution_options(populate_existing=True))
    if sub is None:
        sub = StripeSubscription(studio_id=studio.id, subscription_id=subscription_id,
                                 order_id=order.id)
        db.session.add(sub)
    order.stripe_subscription_id = subscription_id
    db.session.flush()
    return sub, order


def _merge_period(sub: StripeSubscription, start, end) -> None:
    start, end = _timestamp(start), _timestamp(end)
    if start and (sub.period_start is None or start < sub.period_start):
        sub.period_start = start
    if end and (sub.period_end is None or end > sub.period_end):
        sub.period_end = end


def sync_pass(sub: StripeSubscription) -> None:
    """Make the membership pass show what is known of its subscription."""
    pass_ = db.session.scalar(select(Pass).where(Pass.order_id == sub.order_id))
    if pass_ is None or pass_.status == PassStatus.REVOKED:
        return
    if sub.period_start and sub.period_end:
        pass_.starts_at, pass_.expires_at = sub.period_start, sub.period_end
    pass_.cancel_at_period_end = sub.cancel_at_period_end or sub.ended
    if sub.ended:
        pass_.status = PassStatus.CANCELLED
    db.session.flush()


# --- Money in ---------------------------------------------------------------------------------


def settle(studio, order: Order, *, amount_minor: int, reference: str,
           payment_intent: str | None, now, deliver: bool = True, period=None) -> str:
    """Record Stripe's payment of `order` once, issue its invoice and (unless a renewal)
    deliver what it bought."""
    if payment_intent and db.session.scalar(select(Payment.id).where(
            Payment.stripe_payment_intent_id == payment_intent)):
        return "ignored: payment already recorded"
    if order.status == OrderStatus.PAID:  # staff took the money at the desk meanwhile
        return "failed: order already paid another way; refund this card payment in Stripe"
    if order.status == OrderStatus.CANCELLED:
        order.status = OrderStatus.AWAITING_PAYMENT  # the money came after all: it wins
    record_payment(studio, order, amount_minor=amount_minor, method=PaymentMethod.STRIPE,
                   actor=None, reference=reference[:120], now=now,
                   stripe_payment_intent_id=payment_intent)
    if deliver and order.status == OrderStatus.PAID:
        deliver_card_order(studio, order, now=now, period=period)
    if payment_intent:
        replay_waiting(studio, f"pi:{payment_intent}", now)
    return PROCESSED


@handles("checkout.session.completed", "checkout.session.async_payment_succeeded")
def checkout_completed(studio, session: dict, event: dict, now) -> str:
    """A one-off payment is paid; a subscription is linked (its first invoice pays it)."""
    order = _lock_order(studio, _order_id(session.get("metadata")))
    if order is None:
        return "ignored: not one of this studio's card orders"
    if session.get("customer"):
        remember_customer(studio, order.customer, session["customer"])
    if session.get("mode") == "subscription":
        if session.get("subscription"):
            _subscription(studio, session["subscription"], session.get("metadata"))
        return PROCESSED
    if session.get("payment_status") != "paid":
        return "ignored: payment not complete yet"
    intent = session.get("payment_intent")
    return settle(studio, order, amount_minor=int(session["amount_total"]),
                  reference=intent or session["id"], payment_intent=intent, now=now)


@handles("payment_intent.payment_failed")
def payment_failed(studio, intent: dict, event: dict, now) -> str:
    return _give_up(studio, _lock_order(studio, _order_id(intent.get("metadata"))), now)


@handles("checkout.session.expired", "checkout.session.async_payment_failed")
def checkout_expired(studio, session: dict, event: dict, now) -> str:
    return _give_up(studio, _lock_order(studio, _order_id(session.get("metadata"))), now)


def _give_up(studio, order: Order | None, now) -> str:
    """No money came: the order is cancelled and grants nothing (a later payment still wins);
    the places a group's order held go back."""
    if order is None or order.status != OrderStatus.AWAITING_PAYMENT or order.payments:
        return "ignored: no card order waiting for this payment"
    order.status = OrderStatus.CANCELLED
    db.session.flush()
    for group in order.groups:
        release_group(studio, group, now=now)
    return PROCESSED


# --- Subscriptions ----------------------------------------------------------------------------


def _invoice_subscription(invoice: dict) -> tuple[str | None, dict]:
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    sub = details.get("subscription") or invoice.get("subscription")  # this API / older ones
    if isinstance(sub, dict):
        sub = sub.get("id")
    metadata = (details.get("metadata")
                or (invoice.get("subscription_details") or {}).get("metadata"))
    return sub, metadata or {}


def _invoice_period(invoice: dict) -> tuple[int | None, int | None]:
    periods = [line.get("period") or {} for line in (invoice.get("lines") or {}).get("data", [])]
    starts = [p["start"] for p in periods if p.get("start")]
    ends = [p["end"] for p in periods if p.get("end")]
    return (min(starts) if starts else None), (max(ends) if ends else None)


def _invoice_payment_intent(studio, invoice: dict) -> str | None:
    for item in (invoice.get("payments") or {}).get("data", []):
        intent = (item.get("payment") or {}).get("payment_intent")
        if intent and item.get("status", "paid") == "paid":
            return intent if isinstance(intent, str) else intent.get("id")
    if isinstance(invoice.get("payment_intent"), str):
        return invoice["payment_intent"]
    if not invoice.get("amount_paid"):
        return None
    return stripe_gateway.invoice_payment_intent(studio, invoice["id"])  # not in the payload


@handles("invoice.paid")
def invoice_paid(studio, invoice: dict, event: dict, now) -> str:
    """The first invoice pays the order; each later one is a renewal: a new paid order for the
    period, and the membership runs to the period's end."""
    sub_id, metadata = _invoice_subscription(invoice)
    found = _subscription(studio, sub_id, metadata) if sub_id else None
    if found is None:
        return "ignored: not a subscription of this studio's"
    sub, first = found
    _merge_period(sub, *_invoice_period(invoice))
    intent = _invoice_payment_intent(studio, invoice)
    amount = int(invoice.get("amount_paid") or 0)
    if (invoice.get("billing_reason") == "subscription_create"
            or first.stripe_invoice_id == invoice["id"]):
        first.stripe_invoice_id = invoice["id"]
        outcome = settle(studio, first, amount_minor=amount, reference=invoice["id"],
                         payment_intent=intent, now=now, period=(sub.period_start, sub.period_end))
    elif db.session.scalar(select(Order.id).where(Order.stripe_invoice_id == invoice["id"])):
        outcome = "ignored: renewal already recorded"
    elif amount == 0:
        outcome = PROCESSED  # a free period (a coupon): the membership just runs on
    else:
        renewal = place_renewal_order(studio, first, amount_minor=amount, invoice_id=invoice["id"])
        outcome = settle(studio, renewal, amount_minor=amount, reference=invoice["id"],
                         payment_intent=intent, now=now, deliver=False)
    sync_pass(sub)
    return outcome


@handles("invoice.payment_failed")
def invoice_payment_failed(studio, invoice: dict, event: dict, now) -> str:
    """A renewal the card did not pay: the customer is told, once per invoice (Stripe retries
    the card and sends this again). The first invoice's failure is Checkout's to show."""
    sub_id, metadata = _invoice_subscription(invoice)
    found = _subscription(studio, sub_id, metadata) if sub_id else None
    if found is None:
        return "ignored: not a subscription of this studio's"
    _sub, first = found
    if (invoice.get("billing_reason") == "subscription_create"
            or first.stripe_invoice_id == invoice["id"]):
        return "ignored: the first payment"
    tell_renewal_failed(first, invoice["id"], int(invoice.get("amount_due") or 0))
    return PROCESSED


def _subscription_period(subscription: dict) -> tuple[int | None, int | None]:
    items = (subscription.get("items") or {}).get("data", [])
    starts = [i["current_period_start"] for i in items if i.get("current_period_start")]
    ends = [i["current_period_end"] for i in items if i.get("current_period_end")]
    start = min(starts) if starts else subscription.get("current_period_start")  # older APIs
    return start, (max(ends) if ends else subscription.get("current_period_end"))


@handles("customer.subscription.created", "customer.subscription.updated",
         "customer.subscription.deleted")
def subscription_changed(studio, subscription: dict, event: dict, now) -> str:
    """Mirror the subscription's period and cancel flag onto the membership; a deleted
    subscription ends the membership at its period end."""
    found = _subscription(studio, subscription["id"], subscription.get("metadata"))
    if found is None:
        return "ignored: not a subscription of this studio's"
    sub, _first = found
    _merge_period(sub, *_subscription_period(subscription))
    created = int(event.get("created") or 0)
    if created >= sub.state_at:  # an older snapshot, delivered late, changes nothing
        sub.state_at = created
        sub.status = str(subscription.get("status", ""))[:30]
        sub.cancel_at_period_end = bool(subscription.get("cancel_at_period_end")
                                        or subscription.get("cancel_at"))
    if event.get("type") == "customer.subscription.deleted" or subscription.get("status") in (
            "canceled", "incomplete_expired"):
        sub.ended = True
    db.session.flush()
    sync_pass(sub)
    return PROCESSED


# --- Money out --------------------------------------------------------------------------------


@handles("charge.refunded")
def charge_refunded(studio, charge: dict, event: dict, now) -> str:
    """Record refunds made in Stripe (its dashboard) once each, with a credit note; those we
    made ourselves are known by their refund id already."""
    intent = charge.get("payment_intent")
    if not intent:
        return "ignored: no payment intent"
    payment = db.session.scalar(select(Payment).where(
        Payment.studio_id == studio.id, Payment.stripe_payment_intent_id == intent)
        .with_for_update().execution_options(populate_existing=True))
    if payment is None:
        raise Deferred(f"pi:{intent}", "waiting for the payment")
    refunds = (charge.get("refunds") or {}).get("data")
    if refunds is None:
        refunds = stripe_gateway.list_refunds(studio, charge["id"])
    recorded = 0
    for refund in sorted(refunds, key=lambda r: (r.get("created") or 0, r["id"])):
        if refund.get("status") not in ("succeeded", "pending") or db.session.scalar(
                select(Refund.id).where(Refund.stripe_refund_id == refund["id"])):
            continue
        record_refund(studio, payment, amount_minor=int(refund["amount"]), actor=None,
                      reason=str(refund.get("reason") or "")[:255], stripe_refund_id=refund["id"],
                      made_in_stripe=True, now=now)
        recorded += 1
    return PROCESSED if recorded else "ignored: refunds already recorded"
