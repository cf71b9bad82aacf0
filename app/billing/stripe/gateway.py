"""The only module that talks to Stripe. Each studio owns its Stripe account, so every call
goes through that studio's client; every create carries an idempotency key made of our ids, so a
retry after a network fault can never charge, refund or subscribe twice.

Stripe's errors become DomainErrors here: PaymentServiceUnavailable (no answer) and
PaymentServiceRefused (an error answer); the caller has written nothing it must keep.
"""

import json
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass

import stripe
from flask import current_app

from app.billing.errors import CardsNotAccepted, PaymentServiceRefused, PaymentServiceUnavailable
from app.memberships.models import Period

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


def client_for(studio) -> stripe.StripeClient:
    """A client on the studio's own Stripe account (STRIPE_API_BASE points it elsewhere)."""
    if not studio.stripe_secret_key:
        raise CardsNotAccepted()
    base = current_app.config.get("STRIPE_API_BASE")
    return stripe.StripeClient(studio.stripe_secret_key,
                               base_addresses={"api": base} if base else None,
                               max_network_retries=2)


@contextmanager
def _stripe_call(action: str):
    try:
        yield
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as exc:
        log.warning("Stripe %s: no usable answer: %s", action, exc)
        raise PaymentServiceUnavailable() from exc
    except stripe.StripeError as exc:
        log.warning("Stripe %s refused: %s", action, exc)
        raise PaymentServiceRefused() from exc


def _name(studio, order) -> str:
    # The studio's language, not the visitor's: a retried create must send the same params.
    names = order.description or {}
    return names.get(studio.default_language) or next(iter(names.values()), "") or "FitFlow"


def create_customer(studio, user) -> str:
    """Make the user a customer of the studio's Stripe account; returns the customer id."""
    params = {"name": user.name,
              "metadata": {"user_id": str(user.id), "studio_id": str(studio.id)}}
    if user.email:  # customers added at the desk may have none
        params["email"] = user.email
    with _stripe_call("customer"):
        customer = client_for(studio).v1.customers.create(
            params, {"idempotency_key": f"customer-{studio.id}-{user.id}"})
    return customer.id


def create_checkout_session(studio, order, *, success_url: str, cancel_url: str,
                            customer_id: str | None = None, expires_at=None) -> CheckoutSession:
    """A Checkout Session for the order: a one-off payment, or a subscription for a membership.
    Our ids ride along as metadata on the session and on what it creates."""
    metadata = {"order_id": str(order.id), "studio_id": str(studio.id)}
    price_data = {"currency": order.currency.lower(), "unit_amount": order.gross_minor,
                  "product_data": {"name": _name(studio, order)}}
    params = {"mode": "payment", "line_items": [{"price_data": price_data, "quantity": 1}],
              "success_url": success_url, "cancel_url": cancel_url,
              "client_reference_id": str(order.id), "metadata": metadata}
    if order.plan is not None and order.plan.is_membership:
        params["mode"] = "subscription"
        price_data["recurring"] = {"interval": "year" if order.plan.period == Period.YEAR
                                   else "month"}
        params["subscription_data"] = {"metadata": metadata}
    else:
        params["payment_intent_data"] = {"metadata": metadata}
    if expires_at is not None:
        params["expires_at"] = int(expires_at.timestamp())
    if customer_id:
        params["customer"] = customer_id
    elif order.customer.email:
        params["customer_email"] = order.customer.email
    with _stripe_call("checkout"):
        session = client_for(studio).v1.checkout.sessions.create(
            params, {"idempotency_key": f"checkout-{order.id}"})
    return CheckoutSession(session.id, session.url)


def create_refund(studio, payment, amount_minor: int, *, idempotency_key: str) -> str:
    """Refund part of a card payment at Stripe; returns the Stripe refund id."""
    params = {"payment_intent": payment.stripe_payment_intent_id, "amount": amount_minor,
              "metadata": {"payment_id": str(payment.id), "studio_id": str(studio.id)}}
    with _stripe_call("refund"):
        refund = client_for(studio).v1.refunds.create(params, {"idempotency_key": idempotency_key})
    return refund.id


def list_refunds(studio, charge_id: str) -> list[dict]:
    """Every refund of a charge (a webhook payload's charge does not list them)."""
    with _stripe_call("refund list"):
        found = client_for(studio).v1.refunds.list({"charge": charge_id, "limit": 100})
    return [r.to_dict() for r in found.data]


def invoice_payment_intent(studio, invoice_id: str) -> str | None:
    """The PaymentIntent that paid a subscription invoice (invoice payloads do not carry it)."""
    with _stripe_call("invoice payments"):
        found = client_for(studio).v1.invoice_payments.list(
            {"invoice": invoice_id, "status": "paid", "limit": 10})
    for item in found.data:
        payment = item.to_dict().get("payment") or {}
        if payment.get("payment_intent"):
            return payment["payment_intent"]
    return None


def stop_renewal(studio, subscription_id: str) -> dict:
    """Ask Stripe to end a subscription at its period end (the customer keeps what they paid)."""
    with _stripe_call("subscription update"):
        subscription = client_for(studio).v1.subscriptions.update(
            subscription_id, {"cancel_at_period_end": True},
            {"idempotency_key": f"stop-renewal-{subscription_id}"})
    return subscription.to_dict()


def pause_collection(studio, subscription_id: str, *, resumes_at: int | None, key: str) -> dict:
    """Pause a subscription's billing until `resumes_at` (a Unix time), or until resumed
    (None): Stripe voids the invoices of the pause and bills again from then on, by itself."""
    pause = {"behavior": "void"} | ({"resumes_at": resumes_at} if resumes_at else {})
    params = {"pause_collection": pause}
    with _stripe_call("subscription pause"):
        subscription = client_for(studio).v1.subscriptions.update(
            subscription_id, params, {"idempotency_key": f"pause-{key}"})
    return subscription.to_dict()


def resume_collection(studio, subscription_id: str, *, key: str) -> dict:
    """Bill a paused subscription again now (a pause called off)."""
    with _stripe_call("subscription resume"):
        subscription = client_for(studio).v1.subscriptions.update(
            subscription_id, {"pause_collection": ""}, {"idempotency_key": f"resume-{key}"})
    return subscription.to_dict()


def verify_webhook(payload: bytes, header: str | None, secret: str, *, now=None
                   ) -> dict | None:
    """The event Stripe signed with `secret`, or None. The SDK checks the signature and refuses
    a timestamp over 5 minutes old; one over 5 minutes ahead is refused here too (a replay
    made to live long). The event stays plain JSON (stored as is, applied later), so its id
    must fit the column and nothing in it may be a NUL (PostgreSQL refuses those)."""
    tolerance = stripe.Webhook.DEFAULT_TOLERANCE
    try:
        stripe.WebhookSignature.verify_header(payload, header, secret, tolerance)
        if _signed_at(header) > (now or time.time()) + tolerance:
            return None
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError, RecursionError):
        return None
    ok = (isinstance(event, dict) and isinstance(event.get("id"), str)
          and 0 < len(event["id"]) <= 255 and isinstance(event.get("type"), str)
          and isinstance((event.get("data") or {}).get("object"), dict)
          and b"\\u0000" not in payload)
    return event if ok else None


def _signed_at(header: str) -> int:
    """The t= timestamp of a Stripe-Signature header (already checked by the SDK)."""
    for part in header.split(","):
        key, _, value = part.partition("=")
        if key.strip() == "t":
            return int(value)
    raise ValueError("no timestamp")
