"""Signed, expiring links for email verification and password reset.

The user's session token is part of the signed payload, so a reset link stops working once
the password has been changed (the token rotates) — each link works once.
"""

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.accounts.errors import InvalidToken


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"fitflow-{purpose}")


def make_token(user, purpose: str) -> str:
    return _serializer(purpose).dumps({"u": user.id, "s": user.session_token, "e": user.email})


def read_token(token: str, purpose: str) -> dict:
    """The payload of a valid, unexpired token, or InvalidToken."""
    max_age = current_app.config["TOKEN_MAX_AGE"][purpose]
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature) as exc:
        raise InvalidToken() from exc
