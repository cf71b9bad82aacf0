"""The member pass: a signed, expiring token in a QR code, and a short code to type instead.

The QR token names the member and expires after a few minutes (the pass page refreshes it);
the six-digit code changes every ten minutes and is checked against the class roster only,
so it never has to be unique across the platform.
"""

import hashlib
import hmac
import time

import segno
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.accounts.errors import InvalidPass

TOKEN_MAX_AGE = 10 * 60
CODE_WINDOW = 10 * 60


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="fitflow-member-pass")


def make_token(user) -> str:
    return _serializer().dumps({"u": user.id, "s": user.pass_key[:8]})


def read_token(token: str) -> tuple[int, str]:
    """(user id, pass-key prefix) of a valid, fresh pass token, else InvalidPass."""
    try:
        data = _serializer().loads(token.strip(), max_age=TOKEN_MAX_AGE)
    except (BadSignature, SignatureExpired) as exc:
        raise InvalidPass() from exc
    return data["u"], data["s"]


def short_code(user, at: float | None = None) -> str:
    """Six digits for this member in the current ten-minute window."""
    window = int((at or time.time()) // CODE_WINDOW)
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"{user.id}:{user.pass_key}:{window}".encode(), hashlib.sha256)
    return f"{int.from_bytes(digest.digest()[:4], 'big') % 1_000_000:06d}"


def code_matches(user, code: str, at: float | None = None) -> bool:
    """The typed code is this member's, for this window or the one before (clock skew)."""
    now = at or time.time()
    code = "".join(ch for ch in code if ch.isdigit())
    return any(hmac.compare_digest(short_code(user, now - back), code) for back in (0, CODE_WINDOW))


def qr_data_uri(token: str) -> str:
    """The token as an SVG QR code, inlined as a data: URI (allowed by the CSP for images)."""
    return segno.make(token, error="m").svg_data_uri(scale=6, border=2, dark="#0f172a")
