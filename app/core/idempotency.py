"""Idempotency keys: a request that carries a key the server has already seen is not applied again.

The tablet's offline queue replays taps (check-ins, undo, no-shows) with the key it made when the
coach tapped; the key is stored in the same transaction as the change, so a replay after a lost
response, a double sync or two concurrent retries change nothing twice.
"""

from flask import request
from sqlalchemy import String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import TimestampMixin
from app.extensions import db

HEADER = "Idempotency-Key"
KEY_MAX = 64


class IdempotencyKey(TimestampMixin, db.Model):
    """A key is one user's: another user sending the same key is a request of their own."""

    __tablename__ = "idempotency_keys"

    user_id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_MAX), primary_key=True)


def request_key() -> str | None:
    """The key the client sent (header or form field), or None; over-long keys are ignored."""
    key = (request.headers.get(HEADER) or request.form.get("idempotency_key") or "").strip()
    return key if 8 <= len(key) <= KEY_MAX else None


def first_use(key: str | None, user_id: int) -> bool:
    """Claim `key` for this transaction: True the first time, False for a replay.

    A savepoint keeps a concurrent duplicate's unique violation from spoiling the transaction.
    """
    if key is None:
        return True
    if db.session.get(IdempotencyKey, (user_id, key)) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(IdempotencyKey(key=key, user_id=user_id))
    except IntegrityError:
        return False
    return True
