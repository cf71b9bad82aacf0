"""A person deleting their own account: the row stays, anonymised, because orders, invoices,
payments and the audit log point at it and the law keeps issued invoices as they are.

The domains above accounts take part through a seam, the list of functions the factory puts
in `app.extensions["fitflow.account_leaving"]` (app/__init__.py: _leaving): each is
called with the user inside this transaction, refuses with a DomainError (a studio's last
owner) or lets go of what its domain holds of the person (bookings ahead cancelled, the
studios' records of them, notes, training history, calendars). A refusal rolls it all back.
"""

from flask import current_app
from sqlalchemy import delete, select

from app.accounts.errors import LastOperator
from app.accounts.factors.models import AuthChallenge, Passkey, RecoveryCode, TotpSecret
from app.accounts.models import AccountLink, AuthSession, KnownDevice, User, new_pass_key
from app.audit.services import record
from app.core.db import utcnow
from app.core.jobs import enqueue_after_commit
from app.extensions import db
from app.notifications.services.preferences import forget_recipient

# The name a deleted account keeps: what a plain read of the column (an export) shows; pages
# show it in the reader's language (the `person` filter, views/deletion.py).
DELETED_NAME = "Deleted member"
LEAVING = "fitflow.account_leaving"
# Rows of the person's own that go whole: ways of signing in, sessions, links, devices.
OWN_ROWS = (Passkey, TotpSecret, RecoveryCode, AuthChallenge, AuthSession, AccountLink,
            KnownDevice)


def deleted_email(user_id: int) -> str:
    """The address a deleted account keeps: unique, and in a domain nothing is ever sent to
    (RFC 2606 `.invalid`)."""
    return f"deleted-{user_id}@invalid"


def delete_account(user: User, *, language: str | None = None) -> User:
    """Delete `user`'s own account: refused while they are the last operator or a studio's
    last owner; else bookings and sessions ahead cancelled (no late fee), every trace of them
    the domains hold let go, the account emptied of everything personal, every session ended,
    audited without a personal value, and a goodbye mailed to the address it had, in their
    profile's language (else `language`, the one they were reading)."""
    now = utcnow()
    db.session.refresh(user, with_for_update=True)  # two deletes at once: the second waits
    if user.is_deleted:
        return user
    if user.is_operator:
        _keep_an_operator(user)
    address, locale = user.email, user.locale or language or "en"
    for leave in current_app.extensions.get(LEAVING, ()):
        leave(user, actor=user, now=now)
    forget_recipient(user)
    for model in OWN_ROWS:
        db.session.execute(delete(model).where(model.user_id == user.id))
    user.name, user.email = DELETED_NAME, deleted_email(user.id)
    user.password_hash = user.email_verified_at = user.timezone = user.locale = None
    user.is_operator = False
    user.pass_key = new_pass_key()  # a pass photographed before is void
    user.deleted_at = now
    db.session.flush()
    record("account_deleted", actor=user, studio_id=None, subject=f"user:{user.id}")
    if address:
        enqueue_after_commit("workers.jobs.accounts.send_account_deleted", user.id, address,
                             locale, queue="notifications")
    return user


def _keep_an_operator(user: User) -> None:
    """The platform keeps an operator: the operators' rows are locked, so two deleting
    themselves at once can't both go."""
    operators = db.session.scalars(select(User.id).where(User.is_operator.is_(True))
                                   .with_for_update()).all()
    if not [i for i in operators if i != user.id]:
        raise LastOperator()
