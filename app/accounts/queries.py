"""Read helpers for accounts: the signed-in user, loaded on every request."""

from sqlalchemy import bindparam, select
from sqlalchemy.orm import undefer

from app.accounts.models import User
from app.extensions import db

# With whether they are staff anywhere (the navigation asks on every page). Built once: a
# Session.get() with options builds and keys a new statement on every request.
_SIGNED_IN = select(User).where(User.id == bindparam("id")).options(undefer(User.is_staff))


def get_signed_in_user(user_id: int) -> User | None:
    """The user a session names, with whether they are staff anywhere; None if gone."""
    return db.session.execute(_SIGNED_IN, {"id": user_id}).scalar_one_or_none()
