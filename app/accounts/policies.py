"""Decisions about a signed-in person's own account: has this session authenticated recently
enough for a sensitive action (money settings, refunds, one's own password or second factor)?

The contract with every way of signing in: Flask's `session["auth_at"]` holds the epoch
seconds of the session's latest successful authentication (a password sign-in, the re-auth
form, a passkey or a TOTP code). `mark_fresh()` sets it.
"""

import time
from functools import wraps
from urllib.parse import urlsplit

from flask import jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.htmx import wants_fragment
from app.extensions import login_manager

FRESH_FOR = 10 * 60  # seconds
AUTH_AT = "auth_at"

# Why the re-auth page asks, by the key a view names (shown on that page).
REASONS = ("default", "payments", "refund", "password", "second_factor", "email", "roles",
           "export", "delete")


def mark_fresh() -> None:
    """This session has just authenticated (call after any successful sign-in step)."""
    session[AUTH_AT] = int(time.time())


def is_fresh(auth_at, now: float | None = None) -> bool:
    """True when `auth_at` (epoch seconds) is within the last FRESH_FOR seconds."""
    if not isinstance(auth_at, int | float):
        return False
    now = time.time() if now is None else now
    return 0 <= now - auth_at <= FRESH_FOR


def fresh_auth_required(view=None, *, why: str = "default"):
    """A view decorator: signed in, and authenticated within the last ten minutes; else to the
    re-auth page, which explains `why` and comes back. A GET comes back to itself; a POST
    (its form would be lost either way) comes back to the page the form was on. htmx gets
    an HX-Redirect. Usable bare (`@fresh_auth_required`) or with `why=`."""
    assert why in REASONS, why

    def decorate(fn):
        @wraps(fn)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if is_fresh(session.get(AUTH_AT)):
                return fn(*args, **kwargs)
            return ask_to_reauthenticate(why)
        return wrapped

    return decorate(view) if view is not None else decorate


def ask_to_reauthenticate(why: str = "default"):
    """The answer that sends the person to confirm their password, then back."""
    target = url_for("accounts.reauth_form", next=_come_back_to(), why=why)
    if request.accept_mimetypes.best == "application/json":  # a script's fetch (passkeys)
        return jsonify(error=_("Please confirm it is you first."), redirect=target), 401
    if wants_fragment() or request.headers.get("HX-Request") == "true":
        response = redirect(target, 303)
        response.status_code = 401
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, 303)


def _come_back_to() -> str:
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return "/"
