"""Account use cases. Services flush and never commit; emails go out after commit.

Sign-up and the reset request do the same work whether the address has an account or not (a
password hash, one queued email job), so neither their answer nor their time tells. Sessions
are in `sessions.py`, emailed links in `links.py`, per-account throttling in `../throttle.py`.
"""

from sqlalchemy import func, select

from app.accounts import throttle
from app.accounts.errors import AccountThrottled, InvalidCredentials, WrongPassword
from app.accounts.models import LinkPurpose, User, is_staff, new_pass_key
from app.accounts.services import links, sessions
from app.audit.services import record
from app.core.db import utcnow
from app.core.jobs import enqueue_after_commit
from app.core.origin import Origin
from app.core.security import hash_password, password_needs_rehash, verify_password
from app.extensions import db

__all__ = ["links", "sessions"]


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def register(*, email: str, name: str, password: str | None = None, locale: str | None = None,
             timezone: str | None = None) -> User | None:
    """Create an account and send the verification email; for an address that has an account
    already, email its owner instead (nothing changes). The same work and answer either way:
    the new account, or None. Without a password the account signs in with the passkey made
    with it (app/accounts/factors)."""
    existing = find_user(email)
    # Spent either way: the time tells nothing.
    password_hash = hash_password(password) if password else None
    if existing is not None:
        enqueue_after_commit("workers.jobs.accounts.send_signup_notice", existing.id,
                             queue="notifications")
        return None
    user = User(email=normalise_email(email), name=name.strip(), password_hash=password_hash,
                locale=locale, timezone=timezone)
    db.session.add(user)
    db.session.flush()
    enqueue_after_commit("workers.jobs.accounts.send_verification", user.id, queue="notifications")
    return user


def authenticate(email: str, password: str) -> User:
    """The user with these credentials, or InvalidCredentials (same answer either way), or
    AccountThrottled while the account rests after failures (the password is not looked at).
    A refusal carries `throttling_starts` when it was the last free attempt. A hash from before
    the pepper is replaced while the password is at hand."""
    verdict = throttle.attempt(email)
    if not verdict.allowed:
        raise AccountThrottled(verdict.wait)
    user = find_user(email)
    if not verify_password(user.password_hash if user else _DUMMY_HASH, password) or user is None:
        error = InvalidCredentials()
        error.throttling_starts = verdict.throttling_starts
        raise error
    throttle.clear(email)
    if password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.flush()
    return user


def note_failed_sign_in(email: str, *, throttling_starts: bool, origin: Origin) -> None:
    """After a refused password: a staff account's failure goes to the audit log, and the
    owner is told by email when the delays begin (nothing for an address without account)."""
    user = find_user(email)
    if user is None:
        return
    if is_staff(user):
        record("sign_in_failed", actor=None, studio_id=None, subject=f"user:{user.id}",
               **origin.as_audit())
    if throttling_starts:
        enqueue_after_commit("workers.jobs.accounts.send_sign_in_throttled", user.id,
                             queue="notifications")


def reauthenticate(user: User, password: str) -> User:
    """Confirm the signed-in person's password again (throttled like a sign-in)."""
    return authenticate(user.email, password)


def verify_email(token: str) -> User:
    """Mark the address a verification link was sent to as verified (the link is spent)."""
    user = links.use_link(token, LinkPurpose.VERIFY)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        db.session.flush()
    return user


def request_password_reset(email: str) -> None:
    """Queue the reset email; the job finds whether the address has an account, so this
    answers in the same time either way."""
    enqueue_after_commit("workers.jobs.accounts.send_password_reset", normalise_email(email),
                         queue="notifications")


def check_reset_token(token: str) -> User:
    """The user a reset link is for, while it is unexpired and unused; else InvalidToken."""
    return links.open_link(token, LinkPurpose.RESET)[1]


def reset_password(token: str, password: str, *, origin: Origin) -> User:
    """Set a new password from a reset link: the link is spent, every session and every
    other reset link ends, the owner is told by email (audited)."""
    user = links.use_link(token, LinkPurpose.RESET)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()  # they proved they read this inbox
    _set_password(user, password, keep_session=None, actor=user, origin=origin, how="reset")
    return user


def change_password(user: User, current: str, new: str, *, keep_session: int,
                    origin: Origin) -> User:
    """Change a signed-in person's password after checking the current one; their other
    sessions end, this one stays; the owner is told by email (audited)."""
    if not verify_password(user.password_hash, current):
        raise WrongPassword()
    _set_password(user, new, keep_session=keep_session, actor=user, origin=origin, how="change")
    return user


def _set_password(user: User, password: str, *, keep_session: int | None, actor: User,
                  origin: Origin, how: str) -> None:
    user.password_hash = hash_password(password)
    user.pass_key = new_pass_key()  # a pass photographed before is void too
    links.void_links(user, LinkPurpose.RESET)
    links.void_links(user, LinkPurpose.EMAIL)  # the way to stop an address change
    sessions.end_other_sessions(user, keep_session, actor=actor, origin=origin,
                                reason=f"password_{how}")
    record(f"password_{how}", actor=actor, studio_id=None, subject=f"user:{user.id}",
           **origin.as_audit())
    db.session.flush()
    enqueue_after_commit("workers.jobs.accounts.send_password_changed", user.id,
                         queue="notifications")


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
