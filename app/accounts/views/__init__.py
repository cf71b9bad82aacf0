"""Sign up, sign in and out, verification, password reset, profile, language switch; the
signed-in session found on each request (security.py: sessions, password, re-auth)."""

import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import member_pass as member_pass_tokens
from app.accounts import services
from app.accounts.errors import InvalidCredentials
from app.accounts.factors import policies as factor_policies
from app.accounts.forms import (
    LoginForm,
    ProfileForm,
    ResetForm,
    ResetRequestForm,
    SignupForm,
    zone_choices,
)
from app.accounts.models import User
from app.accounts.policies import mark_fresh
from app.accounts.services import sessions
from app.core.htmx import render
from app.core.i18n import current_language, set_language_cookie
from app.core.lifecycle import done, perform
from app.core.mail import dev_mailbox_open, read_mailbox
from app.core.origin import request_origin
from app.extensions import limiter, login_manager

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def load_user(token: str):
    """The person the cookie's session token names, in one statement; None once that session
    ended (signed out, revoked, a new password, timed out)."""
    found = sessions.find_session(token)
    if found is None:
        return None
    g.auth_session = found.session
    if found.seen_due:
        # At most once a minute. Loaded before the view runs (load_signed_in), so this commit
        # carries nothing of the view's.
        perform(lambda: sessions.touch_session(found.session), lambda _: None, keep_loaded=True)
    return found.user


@bp.before_app_request
def load_signed_in():
    """Find the session before the view runs (see load_user); static files skip it."""
    if "_user_id" in session and request.endpoint != "static":
        current_user._get_current_object()


def start_session(user: User, *, notice_new_device: bool = True) -> User:
    """Every successful sign-in ends here (password, a reset link; passkeys and second steps
    too): a new session record, and a fresh cookie holding only its token. Nothing from the
    session before survives (no fixation), and the session is fresh for re-authentication.
    Call it inside `perform`'s action, so the record commits with the sign-in."""
    _row, token = sessions.start_session(user, request_origin(),
                                         notice_new_device=notice_new_device)
    session.clear()
    login_user(user)
    session["_user_id"] = token  # the cookie names the session record, never the user
    mark_fresh()
    return user


# Names the signed-in session to the service worker (static/js/sw.js), which keeps coach pages
# for offline use only while the marker it sees stays the same: another sign-in, a session that
# ended (expired, signed out elsewhere) or nobody signed in ("anon") each drop them.
SESSION_HEADER = "X-FitFlow-Session"


def session_marker() -> str:
    """A random name for this signed-in session (made on first use, gone with the session)."""
    if not current_user.is_authenticated:
        return "anon"
    if "device" not in session:
        session["device"] = secrets.token_hex(8)
    return session["device"]


@bp.app_context_processor
def session_marker_context():
    return {"session_marker": session_marker}


@bp.after_app_request
def mark_session(response):
    if response.mimetype == "text/html":
        response.headers[SESSION_HEADER] = session_marker()
    return response


def _safe_next(default: str) -> str:
    """A path on this site to go on to; anything that could lead to another host is dropped."""
    target = request.args.get("next") or request.form.get("next") or ""
    # Tabs and newlines are stripped on the way out and browsers read "\" as "/", so
    # "/\t/evil.com" or "/\\evil.com" would become "//evil.com".
    if any(c == "\\" or ord(c) < 32 or ord(c) == 127 for c in target):
        return default
    return target if target.startswith("/") and not target.startswith("//") else default


def _landing(user: User) -> str:
    """Where `user` goes after signing in when no page asked for them: where their work is
    (the factory installs the studios' answer, since accounts knows no studio)."""
    choose = current_app.extensions.get("fitflow.landing")
    return choose(user) if choose else url_for("studios.index")


def _signed_in(user: User, to: str, message: str | None = None):
    """After a sign-in, a new password: the message, a 303 on."""
    return done(message, to) if message else redirect(to, 303)


def _shown_on(field, template: str, **context):
    """A refusal (wrong password, an account resting after failures) shown on the form's
    `field`, at its status (422 like any input the form turned down; 429)."""
    def answer(exc):
        field.errors.append(str(exc))
        return render_template(template, **context), exc.status
    return answer


def _message_page(exc):
    """A refused link (verify, reset): the message alone, at the error's status."""
    return render_template("accounts/message.html", message=str(exc)), exc.status


@bp.get("/signup")
def signup_form():
    return render_template("accounts/signup.html", form=SignupForm())


@bp.post("/signup")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"])
def signup():
    """The same answer whether the address is new or has an account (its owner gets an email
    instead): a sign-up never tells who has an account here."""
    form = SignupForm()
    if not form.validate_on_submit():
        return render_template("accounts/signup.html", form=form), 422
    return perform(
        lambda: services.register(email=form.email.data, name=form.name.data,
                                  password=form.password.data, locale=current_language()),
        lambda _user: done(_("Thank you! We sent a message to that address: open it to "
                             "confirm, then sign in with your password."),
                           url_for("accounts.login_form", next=request.args.get("next"))))


@bp.get("/login")
def login_form():
    return render_template("accounts/login.html", form=LoginForm())


def _address_and_account() -> str:
    """The per-address limit counts each account apart: one office behind one address does
    not lock its neighbours out of their own accounts."""
    typed = request.form.get("email", "")[:254].strip().lower()
    return f"{get_remote_address()}|{typed}"


@bp.post("/login")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], key_func=_address_and_account)
def login():
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form), 422
    return perform(
        lambda: _password_right_action(services.authenticate(form.email.data,
                                                             form.password.data)),
        lambda user: _password_right(user, _safe_next(_landing(user))),
        failed=_refused_on(form.password, form.email.data, "accounts/login.html", form=form))


def _refused_on(field, email: str, template: str, **context):
    """A refused password: a failure is noted (audit for staff, an email when the delays
    begin) and shown on `field` at 422; a resting account is a 429."""
    def answer(exc):
        if isinstance(exc, InvalidCredentials):
            return perform(
                lambda: services.note_failed_sign_in(
                    email, throttling_starts=getattr(exc, "throttling_starts", False),
                    origin=request_origin()),
                lambda _noted: _shown_on(field, template, **context)(exc))
        return _shown_on(field, template, **context)(exc)
    return answer


def _password_right_action(user: User) -> User:
    """Inside the sign-in's transaction: the session starts now, unless a second step is owed
    first (then it starts when that step is passed)."""
    if not factor_policies.asks_second_step(user):
        start_session(user)
    return user


def _password_right(user: User, to: str):
    """A right password signs in, unless a second step is owed first (the person has one, or
    their role requires one); a role that requires one not set up yet is sent to set it up."""
    from app.accounts.factors import views as factor_views  # it builds on this module

    if factor_policies.asks_second_step(user):
        return factor_views.owe_second_step(user, to)
    if factor_policies.second_step_required(user):
        to = url_for("accounts.security", next=to)
    return _signed_in(user, to)


@bp.post("/logout")
def logout():
    """End this session for good: its cookie, copied or not, signs nobody in any more."""
    found = g.get("auth_session")
    return perform(lambda: sessions.end_session(found.id) if found else None,
                   lambda _ended: _signed_out(url_for("studios.index")))


def _signed_out(to: str):
    logout_user()
    session.clear()
    return redirect(to, 303)


@bp.get("/verify/<token>")
def verify_email(token: str):
    return perform(lambda: services.verify_email(token),
                   lambda _user: done(_("Thank you, your email is confirmed."),
                                      url_for("studios.index")),
                   failed=_message_page)


@bp.get("/reset")
def reset_request_form():
    return render_template("accounts/reset_request.html", form=ResetRequestForm())


@bp.post("/reset")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"])
def reset_request():
    form = ResetRequestForm()
    if not form.validate_on_submit():
        return render_template("accounts/reset_request.html", form=form), 422
    return perform(lambda: services.request_password_reset(form.email.data),
                   lambda _sent: render_template("accounts/message.html", message=_(
                       "If an account exists for that address, we have sent it a link to "
                       "choose a new password.")))


@bp.get("/reset/<token>")
def reset_form(token: str):
    """The new-password form; an expired, used or tampered link says so before any typing."""
    return perform(lambda: services.check_reset_token(token),
                   lambda _user: render_template("accounts/reset.html", form=ResetForm(),
                                                 token=token),
                   failed=_message_page)


@bp.post("/reset/<token>")
def reset(token: str):
    form = ResetForm()
    if not form.validate_on_submit():
        return render_template("accounts/reset.html", form=form, token=token), 422
    return perform(
        # The password e-mail tells of this sign-in: no second e-mail for a new device.
        lambda: start_session(services.reset_password(token, form.password.data,
                                                      origin=request_origin()),
                              notice_new_device=False),
        lambda user: _signed_in(user, url_for("studios.index"),
                                _("Your password has been changed.")),
        failed=_message_page)


@bp.get("/me/profile")
@login_required
def profile_form():
    return _profile_page(ProfileForm(obj=current_user))


def _profile_page(form, status: int = 200):
    return render_template("accounts/profile.html", form=form,
                           zones=zone_choices(current_language())), status


@bp.post("/me/profile")
@login_required
def update_profile():
    form = ProfileForm()
    if not form.validate_on_submit():
        return _profile_page(form, 422)
    return perform(
        lambda: services.update_profile(current_user, name=form.name.data,
                                        locale=form.locale.data, timezone=form.timezone.data),
        lambda _user: _profile_saved(form.locale.data))


def _profile_saved(locale: str | None):
    # Said in the language just chosen: the request itself still runs in the old one.
    with force_locale(locale or current_language()):
        message = _("Your profile is saved.")
    response = done(message, url_for("accounts.profile_form"))
    return set_language_cookie(response, locale) if locale else response


@bp.get("/me/pass")
@login_required
def member_pass():
    """The QR pass shown at the door; the page refreshes it before the token expires."""
    token = member_pass_tokens.make_token(current_user)
    return render("accounts/pass.html", "member_pass", qr=member_pass_tokens.qr_data_uri(token),
                  code=member_pass_tokens.short_code(current_user))


@bp.get("/dev/mailbox")
def dev_mailbox():
    """Embedded mode only, from this machine only: the emails the app would have sent."""
    if not dev_mailbox_open(request.remote_addr):
        return render_template("errors/error.html", code=404), 404
    return render_template("accounts/mailbox.html", messages=read_mailbox())


@bp.post("/me/language")
@login_required
def switch_language():
    """The language switch of a signed-in person: saved on the account (every device follows)
    and in this browser, then back to the page it was pressed on. A GET's ?lang= only sets the
    cookie: a link never changes the account."""
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        abort(400)
    back = _safe_next(url_for("studios.index"))
    response = perform(lambda: services.set_language(current_user, lang),
                       lambda _set: redirect(back, 303))
    return set_language_cookie(response, lang)


# Their routes join the blueprint.
from app.accounts.views import deletion, email_change, security, strength  # noqa: E402,F401
