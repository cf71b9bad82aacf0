"""Passkeys: one's own on /me/security, and signing up, in and again (re-authentication)
with one."""


from flask import (
    current_app,
    flash,
    jsonify,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts import services as account_services
from app.accounts.factors import policies
from app.accounts.factors.forms import (
    PasskeyAnswerForm,
    PasskeyNameForm,
    PasskeySignupForm,
)
from app.accounts.factors.queries import get_own_passkey_or_404
from app.accounts.factors.services import passkeys
from app.accounts.factors.views import (
    _binding,
    _invalid,
    _json,
    _json_failed,
    _mark_verified,
    _require_passkey_site,
    bp,
    confirmed_again,
)
from app.accounts.factors.views.second_step import owe_second_step
from app.accounts.policies import fresh_auth_required
from app.accounts.views import _landing, _safe_next, start_session
from app.accounts.views.security import security_page
from app.core.i18n import current_language
from app.core.lifecycle import done, perform
from app.extensions import limiter

# --- /me/security -------------------------------------------------------------------------------


@bp.post("/me/security/passkeys/options")
@fresh_auth_required(why="second_factor")
def passkey_options():
    form = PasskeyNameForm()
    if not form.validate_on_submit():
        return _invalid(form)

    def begin():
        _require_passkey_site()
        return passkeys.begin_registration(
            current_user, _binding(),
            require_verification=policies.must_verify_user(current_user))
    return perform(begin, _json, failed=_json_failed)


@bp.post("/me/security/passkeys")
@fresh_auth_required(why="second_factor")
def add_passkey():
    form = PasskeyAnswerForm()
    if not form.validate_on_submit():
        return _invalid(form)

    def add():
        credential = passkeys.read_credential(form.credential.data, "register")
        return passkeys.finish_registration(
            current_user, credential, form.name.data or _("Passkey"), session.get("webauthn"),
            require_verification=policies.must_verify_user(current_user))

    def added(passkey):
        _mark_verified(passkey.user_verified)
        flash(_("Your passkey “%(name)s” is added.", name=passkey.name), "success")
        return jsonify(redirect=url_for("accounts.security"))
    return perform(add, added, failed=_json_failed)


@bp.post("/me/security/passkeys/<int:passkey_id>/rename")
@login_required
def rename_passkey(passkey_id: int):
    passkey = get_own_passkey_or_404(current_user, passkey_id)
    form = PasskeyNameForm(prefix=f"passkey-{passkey.id}")
    if not form.validate_on_submit():
        return security_page(status=422, rename=(passkey.id, form))
    return perform(lambda: passkeys.rename_passkey(passkey, form.name.data),
                   lambda p: done(_("The passkey is now called “%(name)s”.", name=p.name),
                                  url_for("accounts.security")))


@bp.post("/me/security/passkeys/<int:passkey_id>/remove")
@fresh_auth_required(why="second_factor")
def remove_passkey(passkey_id: int):
    passkey = get_own_passkey_or_404(current_user, passkey_id)
    name = passkey.name
    return perform(lambda: passkeys.remove_passkey(passkey),
                   lambda _none: done(_("The passkey “%(name)s” is removed.", name=name),
                                      url_for("accounts.security")))


# --- signing in with a passkey --------------------------------------------------------------


def _owes_code(use) -> bool:
    # A passkey that did not check who holds it is one factor: the code is still owed.
    return not use.user_verified and policies.asks_second_step(use.user)


def _signed_in_with_passkey(use):
    to = _safe_next(_landing(use.user))
    if _owes_code(use):
        return jsonify(redirect=owe_second_step(use.user, to).location)
    _mark_verified(use.user_verified)
    if policies.second_step_required(use.user) and not policies.has_second_step(use.user):
        to = url_for("accounts.security", next=to)
    return jsonify(redirect=to)


@bp.post("/login/passkey/options")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"])
def login_options():
    def begin():
        _require_passkey_site()
        return passkeys.begin_sign_in(_binding())
    return perform(begin, _json, failed=_json_failed)


@bp.post("/login/passkey")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"])
def login_with_passkey():
    form = PasskeyAnswerForm()
    if not form.validate_on_submit():
        return _invalid(form)

    def sign_in():
        credential = passkeys.read_credential(form.credential.data, "signin")
        use = passkeys.finish_sign_in(credential, session.get("webauthn"),
                                      staff_check=policies.must_verify_user)
        if not _owes_code(use):
            start_session(use.user)  # the session record commits with the sign-in
        return use
    return perform(sign_in, _signed_in_with_passkey, failed=_json_failed)


@bp.post("/signup/passkey/options")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"])
def signup_options():
    form = PasskeySignupForm()
    if not form.validate_on_submit():
        return _invalid(form)

    def begin():
        _require_passkey_site()
        return passkeys.begin_signup(account_services.normalise_email(form.email.data),
                                     form.name.data, current_language(), _binding())
    return perform(begin, _json, failed=_json_failed)


@bp.post("/signup/passkey")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"])
def signup_with_passkey():
    form = PasskeyAnswerForm()
    if not form.validate_on_submit():
        return _invalid(form)

    def sign_up():
        credential = passkeys.read_credential(form.credential.data, "register")
        return passkeys.finish_signup(credential, session.get("webauthn"),
                                      form.name.data or _("Passkey"), account_services.register)

    def signed_up(_passkey):
        # Like a sign-up with a password: the same answer for a taken address (its owner is
        # e-mailed, nothing is stored), and no sign-in until the address is the person's.
        flash(_("Thank you! We sent a message to that address: open it to confirm, then sign "
                "in with your passkey."), "success")
        return jsonify(redirect=url_for("accounts.login_form",
                                        next=_safe_next("") or None))
    return perform(sign_up, signed_up, failed=_json_failed)


# --- confirming it is still them (re-authentication) with a passkey ------------------------


@bp.post("/reauth/passkey/options")
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"])
def reauth_options():
    def begin():
        _require_passkey_site()
        return passkeys.begin_sign_in(_binding(), user=current_user, verify=True)
    return perform(begin, _json, failed=_json_failed)


@bp.post("/reauth/passkey")
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"])
def reauth_with_passkey():
    """The passkey answer of /reauth: one of the person's own passkeys, user verified."""
    form = PasskeyAnswerForm()
    if not form.validate_on_submit():
        return _invalid(form)

    def check():
        credential = passkeys.read_credential(form.credential.data, "signin")
        return passkeys.finish_sign_in(credential, session.get("webauthn"), purpose="step",
                                       expected_user=current_user,
                                       staff_check=policies.must_verify_user)
    return perform(check, lambda _use: confirmed_again(as_json=True), failed=_json_failed)
