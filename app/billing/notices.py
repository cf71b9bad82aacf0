"""Money messages the worker's sweep sends: a membership renewing soon, and money owed at the
desk. A renewal a card could not pay is told by the Stripe webhook (stripe/events.py).

Each has a dedup key, so the sweep may run as often as it likes: a renewal notice once per
membership and renewal date (renewed, it is told again before the next one), a desk reminder
once per order and week since the order was placed (the first OWED_AFTER days after it, the
last OWED_AT_MOST after it).
"""
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from app.billing.models import Order, OrderStatus, PaymentMethodKind
from app.core.db import utcnow
from app.core.jobs import enqueue_after_commit
from app.extensions import db
from app.memberships.models import Pass, PassStatus, Plan, PlanKind
from app.notifications.models import Channel, Notification

RENEWING_WITHIN = timedelta(days=3)
OWED_AFTER = timedelta(days=3)
# Weekly nudges stop after eight weeks: by then the desk follows it up in person, and a first
# deploy does not mail everyone about orders years old.
OWED_AT_MOST = timedelta(weeks=8)
JOB = "workers.jobs.messages.send_money_notice"


def renewing_key(pass_: Pass) -> str:
    return f"membership_renewing:{pass_.id}:{pass_.expires_at:%Y%m%d}"


def owed_key(order: Order, now: datetime) -> str:
    """One reminder per order per week: the week is counted from when the order was placed."""
    return f"money_owed:{order.id}:{(now - order.created_at).days // 7}"


def due_notices(now: datetime | None = None, limit: int = 5000) -> list[tuple[str, int, str]]:
    """(template, pass or order id, dedup key) of each money notice due now, not sent yet."""
    now = now or utcnow()
    passes = db.session.scalars(
        select(Pass).join(Plan, Plan.id == Pass.plan_id)
        .where(Plan.kind == PlanKind.MEMBERSHIP, Pass.status == PassStatus.ACTIVE,
               Pass.cancel_at_period_end.is_(False), Pass.expires_at > now,
               Pass.expires_at <= now + RENEWING_WITHIN,
               or_(Pass.frozen_from.is_(None), Pass.frozen_until <= Pass.expires_at))
        .limit(limit)).all()
    orders = db.session.scalars(
        select(Order).where(Order.status == OrderStatus.AWAITING_PAYMENT,
                            Order.payment_method_kind == PaymentMethodKind.AT_STUDIO,
                            Order.gross_minor > 0, Order.created_at <= now - OWED_AFTER,
                            Order.created_at > now - OWED_AT_MOST)
        .order_by(Order.created_at).limit(limit)).all()
    wanted = [("membership_renewing", p.id, renewing_key(p)) for p in passes]
    wanted += [("money_owed", o.id, owed_key(o, now)) for o in orders]
    if not wanted:
        return []
    sent = set(db.session.scalars(select(Notification.dedup_key).where(
        Notification.channel == Channel.EMAIL,
        Notification.dedup_key.in_([key for _t, _id, key in wanted]))))
    return [w for w in wanted if w[2] not in sent]


def queue_due_notices(now: datetime | None = None) -> int:
    """Queue a job for each money notice due; the number queued."""
    now = now or utcnow()
    due = due_notices(now)
    for template, row_id, key in due:
        enqueue_after_commit(JOB, template, row_id, key, queue="notifications")
    return len(due)


def tell_renewal_failed(order: Order, invoice_id: str, amount_minor: int) -> None:
    """A membership's renewal invoice that the card did not pay: the customer is told once per
    invoice (Stripe retries the card and sends the event again)."""
    enqueue_after_commit(JOB, "renewal_failed", order.id, f"renewal_failed:{invoice_id}",
                         amount_minor, queue="notifications")
