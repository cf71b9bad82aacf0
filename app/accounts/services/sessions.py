"""Signed-in sessions: made at sign-in, found (one statement) on each request, ended by
signing out, by their owner from another device, by a new password, or by time."""

import hashlib
import secrets
from dataclasses import dataclass
from functools import cache

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import undefer

from app.accounts.models import SEEN_EVERY, AuthSession, SessionKind, User, is_staff
from app.accounts.services import devices
from app.audit.services import record
from app.core.db import utcnow
from app.core.origin import Origin
from app.extensions import db


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, origin: Origin, *,
                  notice_new_device: bool = True) -> tuple[AuthSession, str]:
    """A new session for `user` on the device `origin` describes: (the row, the token the
    cookie carries). 256 random bits; the table keeps their hash only. A device or place new
    to them is audited and e-mailed (devices.py)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    _forget_ended(user, now)
    row = AuthSession(user_id=user.id, token_hash=token_hash(token),
                      kind=SessionKind.STAFF if is_staff(user) else SessionKind.CUSTOMER,
                      device=origin.device[:80], place=origin.place, created_at=now,
                      last_seen_at=now)
    db.session.add(row)
    db.session.flush()
    devices.note_sign_in(user, row, origin, notice=notice_new_device)
    if is_staff(user):
        record("sign_in", actor=user, studio_id=None, subject=f"user:{user.id}",
               session=row.id, **origin.as_audit())
    return row, token


def _forget_ended(user: User, now) -> None:
    """Delete `user`'s sessions that timed out (they sign nobody in already)."""
    staff = is_staff(user)
    for row in db.session.scalars(select(AuthSession).where(AuthSession.user_id == user.id)):
        if now >= row.ends_at(staff):
            db.session.delete(row)


@dataclass
class Found:
    session: AuthSession
    user: User
    seen_due: bool  # last_seen_at is older than a minute: write it (touch_session)


@cache
def _find():
    """The session and its person in one statement, with whether they are staff anywhere (the
    navigation asks on every page). Built once, at first use: building and keying a statement
    costs more than running it, and `User.is_staff` is attached when the studios' models load,
    after this module."""
    return (select(AuthSession, User).join(User, User.id == AuthSession.user_id)
            .where(AuthSession.token_hash == bindparam("h")).options(undefer(User.is_staff)))


def find_session(token: str) -> Found | None:
    """The live session a cookie's token names, or None (unknown, ended, or timed out; a
    timed-out row stays until its owner next signs in, and is dead meanwhile)."""
    if not token or len(token) > 100:
        return None
    row = db.session.execute(_find(), {"h": token_hash(token)}).first()
    if row is None:
        return None
    session, user = row
    now = utcnow()
    if now >= session.ends_at(is_staff(user)):
        return None
    return Found(session, user, seen_due=now - session.last_seen_at >= SEEN_EVERY)


def touch_session(session: AuthSession) -> None:
    """Note that the session was used now (at most once a minute, see Found.seen_due)."""
    session.last_seen_at = utcnow()
    db.session.flush()


def end_session(session_id: int) -> None:
    """Sign one session out (its cookie is dead from now on)."""
    db.session.execute(delete(AuthSession).where(AuthSession.id == session_id))


def revoke_session(user: User, session_id: int, *, actor: User, origin: Origin) -> bool:
    """Sign out one of `user`'s sessions from another device (audited); False if it is not
    theirs or already gone: another person's session id ends nothing."""
    ended = db.session.execute(delete(AuthSession).where(AuthSession.id == session_id,
                                                         AuthSession.user_id == user.id))
    if not ended.rowcount:
        return False
    record("session_revoked", actor=actor, studio_id=None, subject=f"user:{user.id}",
           session=session_id, **origin.as_audit())
    return True


def end_other_sessions(user: User, keep: int | None, *, actor: User | None,
                       origin: Origin, reason: str = "signed_out_others") -> int:
    """End every session of `user` but `keep` (audited); how many ended."""
    query = delete(AuthSession).where(AuthSession.user_id == user.id)
    if keep is not None:
        query = query.where(AuthSession.id != keep)
    ended = db.session.execute(query).rowcount
    if ended:
        record("sessions_revoked", actor=actor, studio_id=None, subject=f"user:{user.id}",
               count=ended, reason=reason, **origin.as_audit())
    return ended


def end_every_session(user: User) -> None:
    """Sign `user` out everywhere (an operator's action, a test's "elsewhere")."""
    db.session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
