"""Read helpers for accounts: a person's signed-in sessions."""

from sqlalchemy import select

from app.accounts.models import AuthSession, User, is_staff
from app.core.db import utcnow
from app.extensions import db


def list_sessions(user: User) -> list[AuthSession]:
    """The user's live sessions, the most recently used first (timed-out ones sign nobody in
    and are not shown)."""
    now, staff = utcnow(), is_staff(user)
    rows = db.session.scalars(select(AuthSession).where(AuthSession.user_id == user.id)
                              .order_by(AuthSession.last_seen_at.desc(), AuthSession.id.desc()))
    return [row for row in rows if now < row.ends_at(staff)]
