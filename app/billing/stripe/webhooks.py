"""Stripe's webhook: verify the signature, store the event once, queue its application, answer.

Stripe asks endpoints to answer quickly and do the work afterwards: a worker applies each stored
event (`app.billing.stripe_events`), so a burst of events or a slow call back to Stripe never
holds the web workers customers are waiting on.
"""

from flask import Blueprint, jsonify, request
from sqlalchemy import bindparam, select

from app.billing.stripe import gateway as stripe_gateway
from app.billing.stripe.inbox import receive_event
from app.core.lifecycle import perform
from app.extensions import csrf, db
from app.studios.models import Studio

bp = Blueprint("billing_webhooks", __name__)


_STUDIOS = Studio.__table__
_WITH_SECRET = select(_STUDIOS.c.id, _STUDIOS.c.stripe_webhook_secret).where(
    _STUDIOS.c.stripe_webhook_secret.is_not(None)).order_by(_STUDIOS.c.id)
_NAMED = _WITH_SECRET.where(_STUDIOS.c.slug == bindparam("slug"))


def _candidates(slug: str | None) -> list:
    """(id, webhook secret) of the studio named by ?studio=, or of every studio with one."""
    if slug is None:
        return db.session.execute(_WITH_SECRET).all()
    if len(slug) > 40 or "\x00" in slug:
        return []
    return db.session.execute(_NAMED, {"slug": slug}).all()


def _verified(payload: bytes, header: str | None, slug: str | None) -> tuple[int, dict] | None:
    """(studio id, event) for the studio whose webhook secret signed the payload, or None."""
    for studio_id, secret in _candidates(slug):
        if not secret:  # sealed with a key that is gone: that studio cannot be verified
            continue
        event = stripe_gateway.verify_webhook(payload, header, secret)
        if event is not None:
            return studio_id, event
    return None


@bp.post("/webhooks/stripe")
def stripe_webhook():
    verified = _verified(request.get_data(),  # the exact bytes Stripe signed
                         request.headers.get("Stripe-Signature"), request.args.get("studio"))
    if verified is None:
        return jsonify(outcome="invalid signature"), 400
    return perform(lambda: receive_event(*verified),
                   lambda outcome: (jsonify(outcome=outcome), 200))


csrf.exempt(stripe_webhook)  # Stripe signs its requests; it cannot send our CSRF token
