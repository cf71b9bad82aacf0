"""Security headers (strict CSP, no inline script or style) and password hashing."""

from itertools import chain

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, current_app, g, request, session
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms import ValidationError

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


SIGNED_CSRF = "csrf_signed"


def csrf_token() -> str:
    """The session's signed CSRF token, signed once per session rather than on every page.

    Flask-WTF's signature carries a timestamp, so each page would carry a different token
    and no unchanged page could be answered 304 Not Modified. Tokens have no time limit
    (WTF_CSRF_TIME_LIMIT = None): any token signed for the session's raw token is accepted,
    so reusing one accepts nothing more. A new raw token (a new session) signs a new one.
    A page whose view builds a Flask-WTF form before rendering keeps the token the form was
    given (signed afresh), so such pages still differ from one second to the next.
    """
    if "csrf_token" not in g:  # Flask-WTF's per-request cache, read by its forms too
        signed = session.get(SIGNED_CSRF)
        try:
            validate_csrf(signed)
        except ValidationError:
            signed = session[SIGNED_CSRF] = generate_csrf()
        g.csrf_token = signed
    return g.csrf_token


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
