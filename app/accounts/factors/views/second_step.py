"""The second step: the authenticator app and recovery codes on /me/security, and the step
owed after a right password (or before a console)."""

import hashlib
from time import time

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.factors import policies
from app.accounts.factors.errors import SecondStepExpired
from app.accounts.factors.forms import (
    PasskeyAnswerForm,
    ReauthCodeForm,
    SecondStepForm,
    TotpConfirmForm,
)
from app.accounts.factors.services import passkeys, totp
from app.accounts.factors.views import (
    _binding,
    _invalid,
    _json,
    _json_failed,
    _mark_verified,
    _require_passkey_site,
    bp,
    confirmed_again,
    refused_code,
)
from app.accounts.forms import ReauthForm
from app.accounts.models import User
from app.accounts.policies import fresh_auth_required
from app.accounts.views import _landing, _safe_next, start_session
from app.accounts.views.security import _reauth_page
from app.core.lifecycle import done, perform
from app.extensions import db, limiter

PENDING = "second_step_pending"  # a password was right; the second step is still owed
PENDING_SECONDS = 300


@bp.post("/me/security/second-step/app")
@fresh_auth_required(why="second_factor")
def start_totp():
    then = url_for("accounts_factors.totp_setup", next=_safe_next("") or None)
    return perform(lambda: totp.start_totp(current_user), lambda _secret: redirect(then, 303))


@bp.get("/me/security/second-step/app")
@login_required
def totp_setup():
    return _totp_page(TotpConfirmForm())


def _totp_page(form, status: int = 200):
    secret = totp.get_totp(current_user)
    if secret is None or secret.confirmed_at is not None:
        return redirect(url_for("accounts.security"), 303)
    uri = totp.provisioning_uri(current_user, secret)
    return render_template("accounts/totp_setup.html", form=form, secret=secret.secret,
                           qr=totp.qr_svg(uri), next=_safe_next("")), status


@bp.post("/me/security/second-step/app/confirm")
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"])
def confirm_totp():
    form = TotpConfirmForm()
    if not form.validate_on_submit():
        return _totp_page(form, 422)

    def refused(exc):
        form.code.errors.append(str(exc))
        return _totp_page(form, exc.status)

    def confirmed(codes):
        _mark_verified(True)
        return _codes_page(codes, _("Your authenticator app is set up."))
    return perform(lambda: totp.confirm_totp(current_user, form.code.data), confirmed,
                   failed=refused_code(current_user, refused))


def _codes_page(codes: list[str], message: str):
    response = current_app.make_response(render_template(
        "accounts/recovery_codes.html", codes=codes, message=message,
        next=_safe_next(url_for("accounts.security"))))
    response.headers["Cache-Control"] = "no-store"  # shown once: never from a cache
    return response


@bp.post("/me/security/second-step/recovery-codes")
@fresh_auth_required(why="second_factor")
def new_recovery_codes():
    if not totp.has_totp(current_user):
        return redirect(url_for("accounts.security"), 303)
    return perform(lambda: totp.new_recovery_codes(current_user),
                   lambda codes: _codes_page(codes, _("Your new recovery codes are ready. "
                                                      "The old ones no longer work.")))


@bp.post("/me/security/second-step/remove")
@fresh_auth_required(why="second_factor")
def remove_second_step():
    """People who may go without a second step can turn it off; staff who must cannot."""
    if policies.second_step_required(current_user):
        return done(_("Your role needs a second step, so it stays on. An operator can reset "
                      "it if you lose your phone."), url_for("accounts.security"),
                    "error")
    return perform(lambda: totp.remove_second_step(current_user),
                   lambda _none: done(_("The authenticator app is turned off."),
                                      url_for("accounts.security")))


# --- the second step ----------------------------------------------------------------------------


def owe_second_step(user, to: str):
    """After a right password: remember who owes the second step (not signed in yet) and send
    them to it."""
    session.clear()
    session[PENDING] = {"uid": user.id, "token": _credentials_mark(user), "at": int(time()),
                        "next": to}
    return redirect(url_for("accounts_factors.second_step_form"), 303)


def second_step_gate():
    """For a console's before_request: None when the signed-in person may go on; else where
    they must go first: setting up a second step, or passing it in this session."""
    if not policies.second_step_required(current_user) or session.get("second_step"):
        return None
    if not policies.has_second_step(current_user):
        return redirect(url_for("accounts.security", next=request.full_path), 303)
    return redirect(url_for("accounts_factors.second_step_form", next=request.full_path), 303)


def operator_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint under /operator: signed-in operators only (anyone else gets a 404), past
    their second step."""
    bp = Blueprint(name, import_name, url_prefix="/operator")

    @bp.before_request
    @login_required
    def require_operator():
        if not current_user.is_operator:
            abort(404)
        return second_step_gate()

    return bp


def _pending_user():
    """Who this page is for: the person part-way through signing in, or a signed-in person
    asked to pass it now (the console); None when the sign-in took too long."""
    if current_user.is_authenticated:
        return current_user
    pending = session.get(PENDING)
    if not pending or time() - pending["at"] > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending["uid"])
    return user if user is not None and _credentials_mark(user) == pending["token"] else None


def _credentials_mark(user) -> str:
    """Changes when the password does: a half-finished sign-in dies with the old password."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def _second_step_page(form, user, status: int = 200):
    return render_template("accounts/second_step.html", form=form,
                           has_app=totp.has_totp(user),
                           has_passkey=policies.has_verifying_passkey(user)), status


def _pass(user):
    """Inside the step's transaction: where to go on, and the session, started now for a
    person part-way through signing in."""
    if current_user.is_authenticated:
        return _safe_next(_landing(user))
    to = session[PENDING]["next"]
    start_session(user)
    return to


def _passed(to: str):
    _mark_verified(True)
    return redirect(to, 303)


@bp.get("/login/second-step")
def second_step_form():
    user = _pending_user()
    if user is None:
        return done(str(SecondStepExpired()), url_for("accounts.login_form"), "error")
    return _second_step_page(SecondStepForm(), user)


@bp.post("/login/second-step")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"])
def second_step():
    user = _pending_user()
    if user is None:
        return done(str(SecondStepExpired()), url_for("accounts.login_form"), "error")
    form = SecondStepForm()
    if not form.validate_on_submit():
        return _second_step_page(form, user, 422)

    def refused(exc):
        form.code.errors.append(str(exc))
        return _second_step_page(form, user, exc.status)
    def check():
        totp.check_second_step(user, form.code.data)
        return _pass(user)
    return perform(check, _passed, failed=refused_code(user, refused))


@bp.post("/login/second-step/passkey/options")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"])
def second_step_options():
    user = _pending_user()

    def begin():
        if user is None:
            raise SecondStepExpired()
        _require_passkey_site()
        return passkeys.begin_sign_in(_binding(), user=user, verify=True)
    return perform(begin, _json, failed=_json_failed)


@bp.post("/login/second-step/passkey")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"])
def second_step_with_passkey():
    user = _pending_user()
    form = PasskeyAnswerForm()
    if not form.validate_on_submit():
        return _invalid(form)

    def check():
        if user is None:
            raise SecondStepExpired()
        credential = passkeys.read_credential(form.credential.data, "signin")
        use = passkeys.finish_sign_in(credential, session.get("webauthn"), purpose="step",
                                      expected_user=user, staff_check=policies.must_verify_user)
        return _pass(use.user)

    def passed(to):
        return jsonify(redirect=_passed(to).location)
    return perform(check, passed, failed=_json_failed)


@bp.post("/reauth/code")
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"])
def reauth_with_code():
    """The authenticator app's answer on /reauth."""
    form = ReauthCodeForm()
    if not form.validate_on_submit():
        return _reauth_page(ReauthForm(formdata=None), 422, code_form=form)

    def refused(exc):
        form.code.errors.append(str(exc))
        return _reauth_page(ReauthForm(formdata=None), exc.status, code_form=form)
    return perform(lambda: totp.check_app_code(current_user, form.code.data),
                   lambda _none: confirmed_again(as_json=False),
                   failed=refused_code(current_user, refused))
