"""The authenticator app (TOTP, RFC 6238 via pyotp) and its ten single-use recovery codes.

A secret is made unconfirmed, shown as a QR code and as text, and becomes the person's second
step when they type a first good code; the recovery codes are made then, shown once, and only
their salted hashes are kept.
"""

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from sqlalchemy import delete, select

from app.accounts.factors.errors import CodeReused, WrongCode, WrongRecoveryCode
from app.accounts.factors.models import RecoveryCode, TotpSecret
from app.accounts.factors.services import note_change
from app.accounts.models import User
from app.core.db import utcnow
from app.extensions import db

ISSUER = "FitFlow"
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread: 31 symbols


def get_totp(user: User) -> TotpSecret | None:
    return db.session.scalar(select(TotpSecret).where(TotpSecret.user_id == user.id))


def has_totp(user: User) -> bool:
    """Whether the person confirmed an authenticator app."""
    found = get_totp(user)
    return found is not None and found.confirmed_at is not None


def start_totp(user: User) -> TotpSecret:
    """A new unconfirmed secret for `user`, replacing an unconfirmed one; a confirmed app stays
    as it is (the page offers no second set-up)."""
    found = get_totp(user)
    if found is not None and found.confirmed_at is not None:
        return found
    if found is None:
        found = TotpSecret(user_id=user.id, last_step=0)
        db.session.add(found)
    found.secret = pyotp.random_base32()
    db.session.flush()
    return found


def provisioning_uri(user: User, secret: TotpSecret) -> str:
    return pyotp.TOTP(secret.secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The otpauth:// URI as an inline SVG data URI (the page's CSP allows data: images)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _matching_step(secret: TotpSecret, code: str, now: float | None = None) -> int | None:
    """The 30-second step `code` is right for, within one step either side (clock drift)."""
    totp = pyotp.TOTP(secret.secret)
    now = time.time() if now is None else now
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _use_code(secret: TotpSecret, code: str) -> None:
    step = _matching_step(secret, code)
    if step is None:
        raise WrongCode()
    if step <= secret.last_step:  # already used: a replay
        raise CodeReused()
    secret.last_step = step


def confirm_totp(user: User, code: str) -> list[str]:
    """Make the pending app the person's second step once `code` is right; returns the ten
    recovery codes to show once."""
    found = get_totp(user)
    if found is None or found.confirmed_at is not None:
        raise WrongCode()
    _use_code(found, code)
    found.confirmed_at = utcnow()
    note_change(user, "app_added")
    return _recovery_codes(user)


def _hash(code: str, salt: str) -> str:
    digest = hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()
    return f"{salt}${digest}"


def normalise_recovery_code(code: str) -> str:
    return "".join(c for c in code.lower() if c in _ALPHABET)


def new_recovery_codes(user: User) -> list[str]:
    """Ten fresh recovery codes instead of the ones left, which stop working."""
    note_change(user, "recovery_codes_renewed")
    return _recovery_codes(user)


def _recovery_codes(user: User) -> list[str]:
    """Ten fresh recovery codes (16 symbols, ~79 bits each); the old ones stop working."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(16)) for _ in range(RECOVERY_CODES)]
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash(code, secrets.token_hex(8))))
    db.session.flush()
    return ["-".join(code[i:i + 4] for i in range(0, 16, 4)) for code in codes]


def count_recovery_codes(user: User) -> int:
    """How many unused recovery codes the person has left."""
    return len(_unused_codes(user, lock=False))


def _unused_codes(user: User, *, lock: bool = True) -> list[RecoveryCode]:
    """The person's unused codes; locked when one may be used, so two sign-ins racing with the
    same code cannot both use it."""
    query = select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                       RecoveryCode.used_at.is_(None))
    return list(db.session.scalars(query.with_for_update() if lock else query))


def check_app_code(user: User, code: str) -> None:
    """The authenticator app's current code, good once (WrongCode otherwise)."""
    found = get_totp(user)
    if found is None or found.confirmed_at is None:
        raise WrongCode()
    _use_code(found, code)
    db.session.flush()


def check_second_step(user: User, code: str) -> str:
    """Pass the second step with an authenticator code (6 digits) or a recovery code (used up);
    returns which it was. A wrong or reused code is WrongCode or WrongRecoveryCode."""
    typed = code.strip().replace(" ", "")
    if typed.isdigit():
        check_app_code(user, typed)
        return "totp"
    plain = normalise_recovery_code(typed)
    for row in _unused_codes(user):
        salt, _sep, _digest = row.code_hash.partition("$")
        if len(plain) == 16 and hmac.compare_digest(_hash(plain, salt), row.code_hash):
            row.used_at = utcnow()
            db.session.flush()
            return "recovery"
    raise WrongRecoveryCode()


def remove_second_step(user: User, *, actor: User | None = None) -> None:
    """Forget the person's authenticator app and recovery codes (their own choice, or an
    operator's reset for staff who lost their phone: `actor`)."""
    note_change(user, "second_step_removed", actor=actor)
    db.session.execute(delete(TotpSecret).where(TotpSecret.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()
