"""Changing one's own e-mail address: asked for from a freshly authenticated session, done
only when a single-use link sent to the new address is opened.

The answer to the request is the same whether the new address is free or has an account: a
job decides, later, whether the new address gets the link or a notice that someone tried to
use it; the old address is told either way, with the way to stop it (a new password voids
every pending change). The audit names the account, never an address.
"""

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.errors import EmailTaken, InvalidToken, SameEmail
from app.accounts.models import AccountLink, AuthSession, LinkPurpose, User
from app.accounts.services import find_user, links, normalise_email, sessions
from app.audit.services import record
from app.core.db import utcnow
from app.core.jobs import enqueue_after_commit
from app.core.origin import Origin
from app.extensions import db


def request_email_change(user: User, new_email: str, *, origin: Origin) -> None:
    """Queue the confirmation link to `new_email` and the notice to the current address
    (audited). Refused only when `new_email` is the person's own address already."""
    new_email = normalise_email(new_email)
    if user.email and new_email == normalise_email(user.email):
        raise SameEmail()
    record("email_change_requested", actor=user, studio_id=None, subject=f"user:{user.id}",
           **origin.as_audit())
    enqueue_after_commit("workers.jobs.accounts.send_email_change", user.id, new_email,
                         queue="notifications")


def open_email_link(token: str) -> tuple[AccountLink, User]:
    """The unused, unexpired address-change link `token` names, with its user; else
    InvalidToken. The link carries the new address (`AccountLink.email`)."""
    if not token or len(token) > 100:
        raise InvalidToken()
    found = db.session.execute(
        select(AccountLink, User).join(User, User.id == AccountLink.user_id)
        .where(AccountLink.token_hash == sessions.token_hash(token),
               AccountLink.purpose == LinkPurpose.EMAIL)
    ).first()
    if found is None or found[0].used_at is not None or utcnow() >= found[0].expires_at:
        raise InvalidToken()
    return found[0], found[1]


def confirm_email_change(token: str, *, current: AuthSession | None, origin: Origin) -> User:
    """Make the address a link was sent to the account's own: verified, the link spent, the
    other pending changes void, every other session ended (`current` stays if it is the
    account's), audited. EmailTaken if the address found an owner meanwhile."""
    link, user = open_email_link(token)
    spent = db.session.execute(
        update(AccountLink).where(AccountLink.id == link.id, AccountLink.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False))
    if not spent.rowcount:
        raise InvalidToken()
    owner = find_user(link.email)
    if owner is not None and owner.id != user.id:
        raise EmailTaken()
    try:
        with db.session.begin_nested():  # a sign-up with the address a moment ago
            user.email, user.email_verified_at = link.email, utcnow()
    except IntegrityError:
        raise EmailTaken() from None
    links.void_links(user, LinkPurpose.EMAIL)
    keep = current.id if current is not None and current.user_id == user.id else None
    sessions.end_other_sessions(user, keep, actor=user, origin=origin, reason="email_changed")
    record("email_changed", actor=user, studio_id=None, subject=f"user:{user.id}",
           **origin.as_audit())
    db.session.flush()
    return user
