"""Stripe webhook events as they arrive: stored once, queued, applied by the worker, retried.

Stripe asks for a quick answer and for the work to happen after it: the webhook only verifies
the signature, stores the event and queues its application (`receive_event`, one transaction
with the job's outbox row); a worker applies it (`apply_received`, with the handlers of
app/billing/stripe_events.py), with all its effects, in one transaction of its own. A failure
there rolls back to "stored, not applied": RQ retries the job, a redelivery queues it again, and
the worker's chores queue any event still not applied after ten minutes again, for three days
(as Stripe retries a delivery it got no answer to).
"""

from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select

from app.billing.models import StripeEvent
from app.billing.stripe.events import apply_event
from app.core.db import insert_built_once, utcnow
from app.core.jobs import enqueue_after_commit
from app.extensions import db
from app.studios.models import Studio

RECEIVED = "received"
APPLY_JOB = "workers.jobs.billing.apply_stripe_event"
RETRY_AFTER = timedelta(minutes=10)  # an event not applied by then is queued again (chores)…
RETRY_FOR = timedelta(days=3)  # …for as long as Stripe retries a delivery
# Stored and not applied, and not deferred (those wait for a payment): what the worker owes.
OWED = (StripeEvent.processed_at.is_(None), StripeEvent.waiting_for.is_(None))


def receive_event(studio_id: int, event: dict, *, now=None) -> str:
    """Store one verified event of the studio's and queue its application (the caller
    commits); "received", or "duplicate" for an event of this studio's already applied.
    A redelivery of an event not applied yet (queued, deferred, or its job failed) queues it
    again: applying is idempotent, so a spare job finds it done."""
    # One statement stores it; a twin delivered at the same moment waits on the unique (studio,
    # event id) and then stores nothing (and, finding it not applied yet, queues it too).
    row_id = db.session.scalar(_store_once(), {
        "event_id": event["id"], "type": str(event.get("type", ""))[:100],
        "studio_id": studio_id, "payload": event, "received_at": now or utcnow()})
    if row_id is None:
        known = db.session.execute(select(StripeEvent.id, StripeEvent.studio_id,
                                          StripeEvent.processed_at)
                                   .where(StripeEvent.studio_id == studio_id,
                                          StripeEvent.event_id == event["id"])).one()
        if known.processed_at is not None:
            return "duplicate"
        row_id = known.id
    enqueue_after_commit(APPLY_JOB, row_id)
    return RECEIVED


@insert_built_once
def _store_once(insert):
    """INSERT … ON CONFLICT (studio_id, event_id) DO NOTHING RETURNING id."""
    table = StripeEvent.__table__
    columns = ("event_id", "type", "studio_id", "payload", "received_at")
    return insert(table).values({**{name: bindparam(name) for name in columns}, "outcome": ""}
                                ).on_conflict_do_nothing(index_elements=["studio_id", "event_id"]
                                                         ).returning(table.c.id)


def requeue_unapplied(*, now=None) -> int:
    """Queue again the events stored RETRY_AFTER ago or more and still not applied (their job
    failed for good, or was lost), for as long as Stripe itself retries a delivery; how many
    (the caller commits). Deferred events wait for what they need instead."""
    now = now or utcnow()
    ids = db.session.scalars(select(StripeEvent.id).where(
        *OWED, StripeEvent.received_at < now - RETRY_AFTER,
        StripeEvent.received_at > now - RETRY_FOR).order_by(StripeEvent.id)).all()
    for row_id in ids:
        enqueue_after_commit(APPLY_JOB, row_id)
    return len(ids)


def unapplied_by_studio() -> dict[int, tuple[int, datetime]]:
    """Per studio: the Stripe events stored and not applied yet (deferred ones wait for a
    payment and are not counted), and when the oldest arrived: payments the worker still owes."""
    return {studio_id: (count, oldest) for studio_id, count, oldest in db.session.execute(
        select(StripeEvent.studio_id, func.count(), func.min(StripeEvent.received_at))
        .where(*OWED).group_by(StripeEvent.studio_id))}


def apply_received(event_row_id: int, *, now=None) -> str | None:
    """Apply a stored event that is not applied yet (the worker's job; the caller commits);
    its outcome, or None when there was nothing to do. The row stays locked to the end, so a
    second job for the same event waits, then finds it applied."""
    row = db.session.scalar(select(StripeEvent).where(StripeEvent.id == event_row_id)
                            .with_for_update().execution_options(populate_existing=True))
    if row is None or row.processed_at is not None:
        return None
    apply_event(db.session.get(Studio, row.studio_id), row, now or utcnow())
    return row.outcome
