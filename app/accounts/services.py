"""Account use cases. Services flush and never commit; emails go out after commit."""

from sqlalchemy import func, select

from app.accounts.errors import EmailTaken, InvalidCredentials, InvalidToken
from app.accounts.models import User, new_session_token
from app.accounts.tokens import read_token
from app.core.db import utcnow
from app.core.jobs import enqueue_after_commit
from app.core.security import hash_password, verify_password
from app.extensions import db


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def register(*, email: str, name: str, password: str | None = None, locale: str | None = None,
             timezone: str | None = None) -> User:
    """Create an account and send the verification email. Without a password the account
    signs in with the passkey made with it (app/accounts/factors)."""
    if find_user(email) is not None:
        raise EmailTaken()
    user = User(email=normalise_email(email), name=name.strip(),
                password_hash=hash_password(password) if password else None, locale=locale,
                timezone=timezone)
    db.session.add(user)
    db.session.flush()
    enqueue_after_commit("workers.jobs.accounts.send_verification", user.id, queue="notifications")
    return user


def authenticate(email: str, password: str) -> User:
    """The user with these credentials, or InvalidCredentials (same answer either way)."""
    user = find_user(email)
    if user is None:
        verify_password(_DUMMY_HASH, password)  # spend the same time as a real check
        raise InvalidCredentials()
    if not verify_password(user.password_hash, password):
        raise InvalidCredentials()
    return user


def verify_email(token: str) -> User:
    """Mark the address in a verification link as verified."""
    payload = read_token(token, "verify")
    user = db.session.get(User, payload["u"])
    if user is None or user.email != payload["e"]:
        raise InvalidToken()
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        db.session.flush()
    return user


def request_password_reset(email: str) -> None:
    """Email a reset link if the account exists; say nothing either way."""
    user = find_user(email)
    if user is not None:
        enqueue_after_commit("workers.jobs.accounts.send_password_reset", user.id,
                             queue="notifications")


def check_reset_token(token: str) -> User:
    """The user a reset link is for, while it is unexpired and unused; else InvalidToken."""
    payload = read_token(token, "reset")
    user = db.session.get(User, payload["u"])
    if user is None or user.session_token != payload["s"]:
        raise InvalidToken()
    return user


def reset_password(token: str, password: str) -> User:
    """Set a new password from a reset link; every other session is signed out."""
    user = check_reset_token(token)
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()  # they proved they read this inbox
    db.session.flush()
    return user


def update_profile(user: User, *, name: str, locale: str | None, timezone: str | None) -> User:
    user.name = name.strip()
    user.locale = locale or None
    user.timezone = timezone or None
    db.session.flush()
    return user


def set_language(user: User, locale: str) -> None:
    """Remember the language a signed-in user switched to."""
    if user.locale != locale:
        user.locale = locale
        db.session.flush()


_DUMMY_HASH = ("$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$"
               "0bQ8kNUYZ5JXJzc3qBGOog6cK66X3wNn1L8cRqfl5JM")
