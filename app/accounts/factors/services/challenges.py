"""WebAuthn challenges, kept server-side: each is good once, for one purpose, for one browser,
for a few minutes. A used one is deleted in the transaction that used it."""

import base64
import json
import secrets
from datetime import timedelta

from sqlalchemy import delete

from app.accounts.factors.errors import ChallengeExpired, PasskeyUnreadable
from app.accounts.factors.models import AuthChallenge
from app.core.db import utcnow
from app.extensions import db

LIFETIME = timedelta(minutes=5)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def from_b64url(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise PasskeyUnreadable() from exc


def issue_challenge(purpose: str, binding: str, *, user_id: int | None = None,
                    data: dict | None = None) -> bytes:
    """A fresh random challenge for `purpose`, answerable only by the browser holding
    `binding`; stale challenges are swept on the way."""
    db.session.execute(delete(AuthChallenge).where(AuthChallenge.expires_at < utcnow()))
    challenge = secrets.token_bytes(32)
    db.session.add(AuthChallenge(challenge=b64url(challenge), purpose=purpose, binding=binding,
                                 user_id=user_id, data=data, expires_at=utcnow() + LIFETIME))
    db.session.flush()
    return challenge


def challenge_of(credential: dict) -> str:
    """The challenge a browser's answer signed, read from its clientDataJSON."""
    try:
        client_data = json.loads(from_b64url(credential["response"]["clientDataJSON"]))
        challenge = client_data["challenge"]
    except (KeyError, TypeError, ValueError) as exc:
        raise PasskeyUnreadable() from exc
    if not isinstance(challenge, str) or len(challenge) > 100:
        raise PasskeyUnreadable()
    return challenge


def take_challenge(credential: dict, purpose: str, binding: str | None) -> AuthChallenge:
    """Remove and return the challenge this answer signed, if it is ours, unexpired, for this
    purpose and this browser; else ChallengeExpired. Removal is a DELETE … RETURNING, so two
    answers racing for one challenge cannot both have it."""
    challenge = challenge_of(credential)
    if not binding:
        raise ChallengeExpired()
    row = db.session.execute(
        delete(AuthChallenge)
        .where(AuthChallenge.challenge == challenge, AuthChallenge.purpose == purpose,
               AuthChallenge.binding == binding, AuthChallenge.expires_at > utcnow())
        .returning(AuthChallenge.challenge, AuthChallenge.user_id, AuthChallenge.data)
    ).first()
    if row is None:
        raise ChallengeExpired()
    return AuthChallenge(challenge=row.challenge, purpose=purpose, binding=binding,
                         user_id=row.user_id, data=row.data)
