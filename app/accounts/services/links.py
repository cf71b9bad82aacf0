"""Links emailed for one purpose: confirm an address, choose a new password.

Each carries 256 random bits of its own (stored as a SHA-256), works for one purpose, once,
until it expires. Nothing is derived from SECRET_KEY or from the session: a leaked signing key
forges no link, and a link says nothing about any session or member pass.
"""

import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from app.accounts.errors import InvalidToken
from app.accounts.models import AccountLink, User
from app.accounts.services.sessions import token_hash
from app.core.db import utcnow
from app.extensions import db


def issue_link(user: User, purpose: str, email: str | None = None) -> str:
    """A new link token for `user` and `purpose`, sent to `email` (their own address unless
    given: a new address to confirm); the raw token goes in the email only."""
    token = secrets.token_urlsafe(32)
    max_age = current_app.config["TOKEN_MAX_AGE"][purpose]
    db.session.add(AccountLink(user_id=user.id, purpose=purpose, token_hash=token_hash(token),
                               email=email or user.email,
                               expires_at=utcnow() + timedelta(seconds=max_age)))
    db.session.flush()
    return token


def open_link(token: str, purpose: str) -> tuple[AccountLink, User]:
    """The unused, unexpired link `token` names for `purpose`, with its user; else
    InvalidToken (also when the account's address changed since it was sent)."""
    if not token or len(token) > 100:
        raise InvalidToken()
    found = db.session.execute(
        select(AccountLink, User).join(User, User.id == AccountLink.user_id)
        .where(AccountLink.token_hash == token_hash(token), AccountLink.purpose == purpose)
    ).first()
    if found is None:
        raise InvalidToken()
    link, user = found
    if link.used_at is not None or utcnow() >= link.expires_at or link.email != user.email:
        raise InvalidToken()
    return link, user


def use_link(token: str, purpose: str) -> User:
    """Open the link and spend it; two requests racing with one link: one wins."""
    link, user = open_link(token, purpose)
    spent = db.session.execute(
        update(AccountLink).where(AccountLink.id == link.id, AccountLink.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False))
    if not spent.rowcount:
        raise InvalidToken()
    return user


def void_links(user: User, purpose: str) -> None:
    """Every outstanding link of `purpose` for `user` stops working (a new password voids
    the other reset links)."""
    db.session.execute(delete(AccountLink).where(AccountLink.user_id == user.id,
                                                 AccountLink.purpose == purpose,
                                                 AccountLink.used_at.is_(None)))
