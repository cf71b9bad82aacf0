"""Studio console: the list of studios a person runs (/manage/) and a studio's booking
settings."""

from flask import Blueprint, abort, g, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.lifecycle import done, perform
from app.studios.console import console_blueprint
from app.studios.forms import BookingPolicyForm
from app.studios.policies import console_studios
from app.studios.services import update_booking_policy

bp = console_blueprint("studios_manage", __name__)
home = Blueprint("manage", __name__, url_prefix="/manage")


@home.get("/")
@login_required
def index():
    studios = console_studios(current_user)
    if not studios:
        abort(404)
    return render_template("studios/manage/index.html", studios=studios)


def _settings_page(form=None, status: int = 200):
    return render_template("studios/manage/settings.html", studio=g.studio,
                           form=form or BookingPolicyForm(formdata=None, obj=g.studio)), status


@bp.get("/settings")
def settings_form():
    return _settings_page()


@bp.post("/settings")
def update_settings():
    form = BookingPolicyForm()
    if not form.validate_on_submit():
        return _settings_page(form=form, status=422)
    settings = {k: v for k, v in form.data.items() if k != "csrf_token"}
    return perform(lambda: update_booking_policy(g.studio, **settings),
                   lambda _saved: done(_("Booking settings saved."), url_for(".settings_form")))
