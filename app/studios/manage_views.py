"""Studio console: overview of the coming week and booking settings."""

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from app.bookings.queries import class_states
from app.core.db import utcnow
from app.extensions import db
from app.schedule.queries import ScheduleFilters, list_classes, local_today, studio_timezone
from app.studios.console import console_blueprint
from app.studios.forms import BookingPolicyForm
from app.studios.services import update_booking_policy

bp = console_blueprint("studio_manage", __name__)


@bp.get("/")
def dashboard():
    tz = studio_timezone(g.studio)
    classes = list_classes(g.studio, local_today(tz), 7, ScheduleFilters(), tz)
    return render_template("manage/dashboard.html", studio=g.studio, tz=tz, classes=classes,
                           states=class_states(g.studio, classes, None, utcnow()))


@bp.get("/settings")
def settings_form():
    return render_template("manage/settings.html", studio=g.studio,
                           form=BookingPolicyForm(obj=g.studio))


@bp.post("/settings")
def update_settings():
    form = BookingPolicyForm()
    if not form.validate_on_submit():
        return render_template("manage/settings.html", studio=g.studio, form=form), 422
    update_booking_policy(g.studio, **{k: v for k, v in form.data.items() if k != "csrf_token"})
    db.session.commit()
    flash(_("Booking settings saved."), "success")
    return redirect(url_for(".settings_form"), 303)
