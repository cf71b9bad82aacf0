"""/me/security/delete: a person deletes their own account, from a freshly authenticated
session, after a page that says what happens and a typed confirmation word."""

from flask import flash, redirect, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from app.accounts.forms import DELETE_WORD, DeleteAccountForm
from app.accounts.policies import fresh_auth_required
from app.accounts.services import deletion
from app.accounts.views import bp
from app.core.htmx import render
from app.core.i18n import current_language
from app.core.lifecycle import perform


def _page(form, status: int = 200, refused: str | None = None):
    return render("accounts/delete_account.html", "delete_form", status=status, form=form,
                  word=DELETE_WORD, refused=refused)


@bp.get("/me/security/delete")
@fresh_auth_required(why="delete")
def delete_account_form():
    return _page(DeleteAccountForm(formdata=None))


@bp.post("/me/security/delete")
@fresh_auth_required(why="delete")
def delete_account():
    """Refused with its reason on the page (a studio's only owner, the last operator);
    done, every session of theirs has ended, this one too."""
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    return perform(lambda: deletion.delete_account(current_user._get_current_object(),
                                                   language=current_language()),
                   lambda _user: _gone(),
                   failed=lambda exc: _page(form, exc.status, refused=str(exc)))


def _gone():
    logout_user()
    session.clear()
    flash(_("Your account is deleted and you are signed out everywhere. Goodbye, and thank "
            "you."), "success")
    return redirect(url_for("studios.index"), 303)


@bp.app_template_filter("person")
def person_name(user) -> str:
    """A person's name as staff see it: a deleted account's label, in the reader's language."""
    return _("Deleted member") if user.is_deleted else user.name


@bp.app_template_filter("person_email")
def person_email(user) -> str:
    """A person's address as staff see it: none for a deleted account (its placeholder tells
    nobody anything)."""
    return "" if user.is_deleted else (user.email or "")
