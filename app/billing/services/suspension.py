"""A suspended studio bills nobody: its desk renewals wait (renewals.py) and its members'
card subscriptions are paused at Stripe until the operator resumes it. A membership paused by
its own freeze then stays paused until that freeze ends."""

from sqlalchemy import select

from app.billing.models import StripeSubscription
from app.billing.stripe import gateway as stripe_gateway
from app.core.db import utcnow
from app.extensions import db
from app.memberships.models import Pass


def _running(studio) -> list[tuple[StripeSubscription, Pass | None]]:
    rows = db.session.execute(
        select(StripeSubscription, Pass)
        .outerjoin(Pass, Pass.order_id == StripeSubscription.order_id)
        .where(StripeSubscription.studio_id == studio.id, StripeSubscription.ended.is_(False))
        .order_by(StripeSubscription.id)).all()
    return [(sub, pass_) for sub, pass_ in rows]


def pause_studio_billing(studio) -> int:
    """Pause every running card subscription of a suspended studio (until resumed): how many.
    Safe to run twice: the idempotency key names the suspension."""
    if studio.suspended_at is None:
        return 0
    stamp = int(studio.suspended_at.timestamp())
    subs = _running(studio)
    for sub, _pass in subs:
        stripe_gateway.pause_collection(studio, sub.subscription_id, resumes_at=None,
                                        key=f"suspended-{studio.id}-{stamp}-{sub.id}")
    return len(subs)


def resume_studio_billing(studio, *, now=None) -> int:
    """Bill again the card subscriptions of a studio open again: at once, or at the end of a
    membership's own freeze when one is still running. How many."""
    if studio.suspended_at is not None:
        return 0
    now = now or utcnow()
    subs = _running(studio)
    for sub, pass_ in subs:
        key = f"resumed-{studio.id}-{sub.id}-{int(now.timestamp()) // 3600}"
        if pass_ is not None and pass_.frozen_until is not None and pass_.frozen_until > now:
            stripe_gateway.pause_collection(studio, sub.subscription_id,
                                            resumes_at=int(pass_.frozen_until.timestamp()),
                                            key=key)
        else:
            stripe_gateway.resume_collection(studio, sub.subscription_id, key=key)
    return len(subs)
