"""Studio console: the studio's booking settings."""

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from app.extensions import db
from app.studios.console import console_blueprint
from app.studios.forms import BookingPolicyForm
from app.studios.services import update_booking_policy

bp = console_blueprint("studios_manage", __name__)


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
    update_booking_policy(g.studio, **{k: v for k, v in form.data.items() if k != "csrf_token"})
    db.session.commit()
    flash(_("Booking settings saved."), "success")
    return redirect(url_for(".settings_form"), 303)
