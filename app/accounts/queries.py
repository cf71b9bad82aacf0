"""Read helpers for accounts: a person's signed-in sessions."""

from sqlalchemy import select

from app.accounts.models import AuthSession, User
from app.extensions import db


def list_sessions(user: User) -> list[AuthSession]:
    """The user's sessions, the most recently used first."""
    return list(db.session.scalars(select(AuthSession).where(AuthSession.user_id == user.id)
                                   .order_by(AuthSession.last_seen_at.desc(),
                                             AuthSession.id.desc())))
