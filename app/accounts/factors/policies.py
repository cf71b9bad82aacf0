"""Who must pass a second step, and whose passkeys must verify the person.

Staff roles live in the studios domain, above accounts: the factory installs the studios'
answer as `fitflow.second_step_required` (app/__init__.py), as it does for the landing page.
"""

from flask import current_app
from sqlalchemy import select

from app.accounts.factors.models import Passkey
from app.accounts.factors.services.totp import has_totp
from app.extensions import db


def second_step_required(user) -> bool:
    """Operators, owners and studio admins must have a second step before their console."""
    if not current_app.config.get("SECOND_STEP_FOR_STAFF", True):
        return False
    decide = current_app.extensions.get("fitflow.second_step_required")
    return bool(user.is_operator or (decide and decide(user)))


def must_verify_user(user) -> bool:
    """Staff anywhere (and operators) sign in only with passkeys that check it is them."""
    return bool(user.is_operator or getattr(user, "is_staff", False))


def has_verifying_passkey(user) -> bool:
    """A passkey registered with user verification: it counts as a second step."""
    return db.session.scalar(select(Passkey.id).where(
        Passkey.user_id == user.id, Passkey.user_verified.is_(True)).limit(1)) is not None


def has_second_step(user) -> bool:
    """Whether the person has any second step: an authenticator app or a verifying passkey."""
    return has_totp(user) or has_verifying_passkey(user)


def asks_second_step(user) -> bool:
    """Whether a password sign-in must be followed by a second step: everyone with an
    authenticator app, and staff who must with a verifying passkey."""
    return has_totp(user) or (second_step_required(user) and has_verifying_passkey(user))
