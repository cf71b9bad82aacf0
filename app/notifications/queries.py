"""The delivery log, as staff (one studio's messages to one customer) and the operator (the
whole platform) read it; a person's push subscriptions."""
from flask import abort
from sqlalchemy import func, select

from app.extensions import db
from app.notifications.models import Notification, PushSubscription, Status

LOG_LIMIT = 100


def studio_log(studio_id: int, user_id: int, limit: int = 20) -> list[Notification]:
    """What a studio sent one customer, newest first: a studio sees only its own messages."""
    return list(db.session.scalars(
        select(Notification).where(Notification.studio_id == studio_id,
                                   Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def platform_log(status: str | None = None, limit: int = LOG_LIMIT) -> list[Notification]:
    """The newest messages across the platform, of one status or all."""
    query = select(Notification).order_by(Notification.created_at.desc(),
                                          Notification.id.desc()).limit(limit)
    if status:
        query = query.where(Notification.status == status)
    return list(db.session.scalars(query))


def status_counts() -> dict[str, int]:
    counts = dict(db.session.execute(
        select(Notification.status, func.count()).group_by(Notification.status)).all())
    return {s.value: counts.get(s.value, 0) for s in Status}


def list_subscriptions(user) -> list[PushSubscription]:
    """The devices `user` asked to be reminded on, newest first (retired ones too, marked)."""
    return list(db.session.scalars(
        select(PushSubscription).where(PushSubscription.user_id == user.id)
        .order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc())))


def live_subscriptions(user) -> list[PushSubscription]:
    """The devices a push to `user` goes to: subscribed and not gone."""
    return [s for s in list_subscriptions(user) if not s.undeliverable]


def get_subscription_or_404(user, subscription_id: int) -> PushSubscription:
    """One of `user`'s own subscriptions; anyone else's is not there."""
    row = db.session.get(PushSubscription, subscription_id)
    if row is None or row.user_id != user.id:
        abort(404)
    return row
