"""The delivery log, as staff (one studio's messages to one customer) and the operator (the
whole platform) read it."""
from sqlalchemy import func, select

from app.extensions import db
from app.notifications.models import Notification, Status

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
