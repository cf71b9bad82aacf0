"""Stripe's webhook: verify the signature, store the event once, apply it, commit once."""

import logging

from flask import Blueprint, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.billing import stripe_gateway
from app.billing.models import StripeEvent
from app.billing.stripe_events import receive_event
from app.extensions import csrf, db
from app.studios.models import Studio

bp = Blueprint("billing_webhooks", __name__)
log = logging.getLogger(__name__)


def _candidates(slug: str | None) -> list[Studio]:
    """The studio named by ?studio=, or every studio with a webhook secret."""
    query = select(Studio).where(Studio.stripe_webhook_secret.is_not(None))
    if slug is not None:
        if len(slug) > 40 or "\x00" in slug:
            return []
        query = query.where(Studio.slug == slug)
    return db.session.scalars(query.order_by(Studio.id)).all()


def _answer(outcome: str, status: int):
    return jsonify(outcome=outcome), status


@bp.post("/webhooks/stripe")
def stripe_webhook():
    payload = request.get_data()  # the exact bytes Stripe signed
    header = request.headers.get("Stripe-Signature")
    for studio in _candidates(request.args.get("studio")):
        event = stripe_gateway.verify_webhook(payload, header, studio.stripe_webhook_secret)
        if event is not None:
            break
    else:
        return _answer("invalid signature", 400)
    try:
        outcome = receive_event(studio, event)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        if isinstance(exc, IntegrityError) and db.session.scalar(
                select(StripeEvent.id).where(StripeEvent.event_id == event["id"])):
            return _answer("duplicate", 200)  # delivered twice at once; the other one stored it
        log.exception("Stripe event %s (%s) failed; Stripe will deliver it again",
                      event["id"], event.get("type"))
        return _answer("error", 500)
    return _answer(outcome, 200)


csrf.exempt(stripe_webhook)  # Stripe signs its requests; it cannot send our CSRF token
