"""Passkeys and the second step: /me/security/… for one's own, /login/… and /signup/… for the
ceremonies. WebAuthn answers come and go as JSON (static/js/passkeys.js); the rest are forms.

One blueprint; its routes live by factor: `passkey` (one's own, and signing up, in and
again with one), `second_step` (the authenticator app, and the step after a password)."""

import secrets
from time import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, redirect, request, session
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.factors.errors import CodeReused, PasskeysNeedLocalhost
from app.accounts.factors.services import note_change, passkeys
from app.accounts.policies import mark_fresh
from app.accounts.views import _safe_next
from app.core.lifecycle import perform

bp = Blueprint("accounts_factors", __name__)


# --- the place passkeys work from -------------------------------------------------------------


def passkeys_here() -> bool:
    """Whether this page is on BASE_URL's host, the only one passkeys are made for."""
    rp = passkeys.relying_party()
    return rp.usable and request.host == urlsplit(current_app.config["BASE_URL"]).netloc


@bp.app_context_processor
def passkey_context():
    return {"passkeys_here": passkeys_here, "passkeys_url": current_app.config["BASE_URL"],
            "own_passkeys": lambda: passkeys.list_passkeys(current_user)}


def _binding() -> str:
    """A random value this browser's session holds; challenges are answerable only with it."""
    if "webauthn" not in session:
        session["webauthn"] = secrets.token_urlsafe(24)
    return session["webauthn"]


def _json(options: str):
    return current_app.response_class(options, mimetype="application/json")


def _json_failed(exc):
    return jsonify(error=str(exc)), exc.status


def _invalid(form):
    messages = [str(m) for errors in form.errors.values() for m in errors]
    return jsonify(error=" ".join(messages) or _("Please check the form.")), 422


def _require_passkey_site():
    if not passkeys_here():
        raise PasskeysNeedLocalhost(url=current_app.config["BASE_URL"])


def _mark_verified(second_step: bool) -> None:
    """The freshness contract: a passkey or code was just checked (read by re-authentication);
    `second_step` when what was checked counts as one."""
    session["auth_at"] = int(time())
    if second_step:
        session["second_step"] = True


def confirmed_again(*, as_json: bool):
    """The answer to a re-authentication passed with a passkey (a script's fetch: JSON) or the
    app's code (a form: 303): the session is fresh; back to the page that asked."""
    mark_fresh()
    to = _safe_next("/")
    return jsonify(redirect=to) if as_json else redirect(to, 303)


def refused_code(user, answer):
    """A `failed=` handler for an authenticator code: a reused one is audited and e-mailed to
    `user` first, in a transaction of its own (the refusal rolled the step's back); then
    `answer` shows the refusal."""
    def refused(exc):
        if isinstance(exc, CodeReused):
            return perform(lambda: note_change(user, "code_reused"), lambda _noted: answer(exc))
        return answer(exc)
    return refused


# The routes, registered on `bp` as they are imported; second_step_gate, operator_blueprint
# and owe_second_step are what other domains and the password sign-in use.
from app.accounts.factors.views import passkey  # noqa: E402,F401
from app.accounts.factors.views.second_step import (  # noqa: E402,F401
    operator_blueprint,
    owe_second_step,
    second_step_gate,
)
