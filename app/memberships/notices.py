"""Pass notices the worker's sweep sends: a pass (not a renewing membership) expiring within
seven days with something left on it, and a pack down to its last credit. Each once per pass
(and per expiry date: a pass extended later is told again before its new end)."""
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from app.core.db import utcnow
from app.core.jobs import enqueue_after_commit
from app.extensions import db
from app.memberships.models import Pass, PassStatus, Plan, PlanKind
from app.memberships.services import balances
from app.notifications.models import Channel, Notification

EXPIRING_WITHIN = timedelta(days=7)
JOB = "workers.jobs.notifications.send_pass_notice"


def expiring_key(pass_: Pass) -> str:
    return f"pass_expiring:{pass_.id}:{pass_.expires_at:%Y%m%d}"


def credits_key(pass_: Pass) -> str:
    return f"credits_low:{pass_.id}"


def due_notices(now: datetime | None = None, limit: int = 5000) -> list[tuple[int, str, str]]:
    """(pass id, template, dedup key) of each notice due now and not sent before."""
    now = now or utcnow()
    passes = db.session.scalars(
        select(Pass).join(Plan, Plan.id == Pass.plan_id)
        .where(Pass.status == PassStatus.ACTIVE, Plan.kind != PlanKind.MEMBERSHIP,
               or_(Pass.expires_at.is_(None), Pass.expires_at > now))
        .where(or_(Pass.credits_total.is_not(None),
                   Pass.expires_at <= now + EXPIRING_WITHIN))
        .limit(limit)).all()
    left = balances([p.id for p in passes if p.credits_total is not None])
    wanted = []
    for p in passes:
        has_credits = p.credits_total is None or left.get(p.id, 0) > 0
        if p.expires_at is not None and p.expires_at <= now + EXPIRING_WITHIN and has_credits:
            wanted.append((p.id, "pass_expiring", expiring_key(p)))
        elif p.credits_total is not None and left.get(p.id, 0) == 1 and p.credits_total > 1:
            wanted.append((p.id, "credits_low", credits_key(p)))
    if not wanted:
        return []
    sent = set(db.session.scalars(select(Notification.dedup_key).where(
        Notification.channel == Channel.EMAIL,
        Notification.dedup_key.in_([key for _id, _t, key in wanted]))))
    return [w for w in wanted if w[2] not in sent]


def queue_due_notices(now: datetime | None = None) -> int:
    due = due_notices(now)
    for pass_id, template, _key in due:
        enqueue_after_commit(JOB, pass_id, template, queue="notifications")
    return len(due)
