"""/me/security: the person's signed-in sessions (sign out one, or all others), their
password; and /reauth, where a sensitive action sends them to confirm it is still them.

The page leaves marked places for passkeys and the second step (security.html)."""

from flask import g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.accounts import services
from app.accounts.errors import InvalidCredentials
from app.accounts.factors.forms import ReauthCodeForm
from app.accounts.factors.queries import security_context
from app.accounts.factors.services import totp
from app.accounts.forms import PasswordChangeForm, ReauthForm
from app.accounts.policies import REASONS, mark_fresh
from app.accounts.queries import list_sessions
from app.accounts.services import sessions
from app.accounts.views import _safe_next, _shown_on, _signed_out, bp
from app.core.htmx import render, wants_fragment
from app.core.lifecycle import done, perform
from app.core.origin import request_origin

WHY = {
    "default": _l("You are about to change something that protects your account or your "
                  "studio's money."),
    "payments": _l("You are about to change how your studio takes payments (its Stripe keys "
                   "or its payment settings)."),
    "refund": _l("You are about to give money back to a customer."),
    "password": _l("You are about to change your password."),
    "second_factor": _l("You are about to change how you confirm your sign-ins."),
    "email": _l("You are about to change your email address."),
    "roles": _l("You are about to change what someone may do in your studio."),
    "export": _l("You are about to export your customers' data."),
    "delete": _l("You are about to delete an account."),
}
assert set(WHY) == set(REASONS)


def security_page(password_form=None, status: int = 200, rename=None):
    """The page whole (or its sessions block for htmx): sessions, password, passkeys and the
    second step (`rename`: a passkey's rename form sent back with its errors)."""
    return render("accounts/security.html", "sessions", status=status,
                  sessions=list_sessions(current_user), current=g.auth_session.id,
                  password_form=password_form or PasswordChangeForm(formdata=None),
                  **security_context(current_user, rename=rename))


@bp.get("/me/security")
@login_required
def security():
    return security_page()


@bp.post("/me/security/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    """Sign out one session; this device's own is a sign-out. Another person's id is a 404."""
    if session_id == g.auth_session.id:
        return perform(lambda: sessions.end_session(session_id),
                       lambda _ended: _signed_out(url_for("accounts.login_form")))
    return perform(
        lambda: sessions.revoke_session(current_user, session_id, actor=current_user,
                                        origin=request_origin()),
        lambda ended: _after_revoking(ended))


def _after_revoking(ended: bool):
    if not ended:
        return render_template("errors/error.html", code=404), 404
    if wants_fragment():
        return security_page()
    return done(_("That device is signed out."), url_for(".security"))


@bp.post("/me/security/sessions/end-others")
@login_required
def end_other_sessions():
    return perform(
        lambda: sessions.end_other_sessions(current_user, g.auth_session.id, actor=current_user,
                                            origin=request_origin()),
        lambda _count: done(_("Every other device is signed out."), url_for(".security")))


@bp.post("/me/security/password")
@login_required
def change_password():
    """The current password is asked for again (that is the re-authentication); the other
    sessions end, this one stays and is fresh."""
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return security_page(form, 422)
    return perform(
        lambda: services.change_password(current_user, form.current.data, form.password.data,
                                         keep_session=g.auth_session.id,
                                         origin=request_origin()),
        lambda _user: _password_changed(),
        failed=lambda exc: security_page(_with_error(form, form.current, exc), exc.status))


def _with_error(form, field, exc):
    field.errors = [*field.errors, str(exc)]
    return form


def _password_changed():
    mark_fresh()
    return done(_("Your password is changed; every other device is signed out."),
                url_for(".security"))


def _reauth_page(form, status: int = 200, code_form=None):
    """/reauth: the password, the app's code or a passkey, whichever the person has."""
    why = request.args.get("why", "default")
    return render_template("accounts/reauth.html", form=form,
                           code_form=code_form or ReauthCodeForm(formdata=None),
                           has_app=totp.has_totp(current_user),
                           why=WHY.get(why, WHY["default"]), next=_safe_next("/")), status


@bp.get("/reauth")
@login_required
def reauth_form():
    return _reauth_page(ReauthForm(formdata=None))


@bp.post("/reauth")
@login_required
def reauth():
    form = ReauthForm()
    if not form.validate_on_submit():
        return _reauth_page(form, 422)
    return perform(lambda: services.reauthenticate(current_user, form.password.data),
                   lambda _user: _reauthenticated(),
                   failed=lambda exc: _reauth_refused(form, exc))


def _reauthenticated():
    mark_fresh()
    return redirect(_safe_next("/"), 303)


def _reauth_refused(form, exc):
    answer = _shown_on(form.password, "accounts/reauth.html", form=form,
                       why=WHY.get(request.args.get("why", ""), WHY["default"]),
                       next=_safe_next("/"))
    if isinstance(exc, InvalidCredentials):
        return perform(
            lambda: services.note_failed_sign_in(
                current_user.email, throttling_starts=getattr(exc, "throttling_starts", False),
                origin=request_origin()),
            lambda _noted: answer(exc))
    return answer(exc)
