"""Security headers (strict CSP, no inline script or style) and password hashing."""

import hashlib
import hmac
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


# A peppered hash is this marker and the argon2id hash of HMAC-SHA256(pepper, password) (ASVS
# 2.4.5): the pepper lives in the configuration, never in the database, so a copy of the users
# table alone cannot be guessed at. A bare argon2 hash is from before the pepper: it still
# verifies, and `password_needs_rehash` says to hash the password again at its next sign-in.
PEPPERED = "$pepper1"


def _peppered(pepper: str, password: str) -> str:
    return hmac.new(pepper.encode(), password.encode(), hashlib.sha256).hexdigest()


def peppered_hash(hasher: PasswordHasher, pepper: str, password: str) -> str:
    """The stored form of `password` under `pepper` (also for tools that fill a database)."""
    return PEPPERED + hasher.hash(_peppered(pepper, password))


def hash_password(password: str) -> str:
    """A peppered argon2id hash of `password`."""
    return peppered_hash(_hasher(), current_app.config["PASSWORD_PEPPER"], password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when `password` matches the stored hash, peppered or from before the pepper
    (False for a missing or foreign hash, and for a peppered one under another pepper)."""
    if not stored:
        return False
    if stored.startswith(PEPPERED):
        stored, password = (stored.removeprefix(PEPPERED),
                            _peppered(current_app.config["PASSWORD_PEPPER"], password))
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(stored: str) -> bool:
    """True for a hash made before the pepper, to replace once the password is known again.
    (Other argon2 parameters are not a reason: verification reads them from the hash.)"""
    return not stored.startswith(PEPPERED)


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
