"""Security headers (strict CSP, no inline script or style) and password hashing."""

from itertools import chain

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, current_app, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _hasher() -> PasswordHasher:
    app = current_app._get_current_object()
    hasher = app.extensions.get("fitflow_hasher")
    if hasher is None:
        hasher = app.extensions["fitflow_hasher"] = PasswordHasher(**app.config["PASSWORD_HASH"])
    return hasher


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher().hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when `password` matches the stored hash (False for a missing or foreign hash)."""
    if not stored:
        return False
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def init_app(app):
    @app.before_request
    def refuse_nul_bytes():
        """No person types a NUL byte and PostgreSQL text cannot hold one: 400, never a 500."""
        for values in (request.args, request.form):
            if any("\x00" in value for value in chain.from_iterable(values.listvalues())):
                abort(400)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(self), geolocation=()")
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
