"""/me/email: change one's own address. Asked from a freshly authenticated session; done when
the link sent to the new address is opened and its button pressed (a mail scanner that
follows links spends nothing: the GET only shows the page)."""

from flask import g, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.forms import EmailChangeForm
from app.accounts.policies import fresh_auth_required
from app.accounts.services import email_change
from app.accounts.views import _message_page, bp
from app.core.lifecycle import done, perform
from app.core.origin import request_origin


def _form_page(form, status: int = 200):
    return render_template("accounts/email_change.html", form=form), status


@bp.get("/me/email")
@fresh_auth_required(why="email")
def email_change_form():
    return _form_page(EmailChangeForm(formdata=None))


@bp.post("/me/email")
@fresh_auth_required(why="email")
def request_email_change():
    """The same answer whether the new address is free or has an account."""
    form = EmailChangeForm()
    if not form.validate_on_submit():
        return _form_page(form, 422)
    return perform(
        lambda: email_change.request_email_change(current_user, form.email.data,
                                                  origin=request_origin()),
        lambda _asked: done(_("We sent a link to the new address. Your email changes when you "
                              "open it (within 24 hours); until then nothing changes."),
                            url_for("accounts.profile_form")),
        failed=lambda exc: _form_page(_with_error(form, exc), exc.status))


def _with_error(form, exc):
    form.email.errors = [*form.email.errors, str(exc)]
    return form


@bp.get("/me/email/confirm/<token>")
def email_change_confirm_form(token: str):
    return perform(lambda: email_change.open_email_link(token),
                   lambda found: render_template("accounts/email_confirm.html",
                                                 new_email=found[0].email, token=token),
                   failed=_message_page)


@bp.post("/me/email/confirm/<token>")
def confirm_email_change(token: str):
    """Spend the link; every other session of the account ends (this one stays if it is
    the account's own)."""
    return perform(
        lambda: email_change.confirm_email_change(token, current=g.get("auth_session"),
                                                  origin=request_origin()),
        lambda user: done(_("Your email address is changed, and every other device is signed "
                            "out."), _after_change(user)),
        failed=_message_page)


def _after_change(user) -> str:
    if current_user.is_authenticated and current_user.id == user.id:
        return url_for("accounts.profile_form")
    return url_for("accounts.login_form")
