"""The coach's own profile in a studio (/coach/<studio>/profile): photo, bio and the class
types they teach, shown in the studio's coach directory; and, where the studio lets coaches
set them, their own weekly hours and time off (/coach/<studio>/hours)."""

from zoneinfo import ZoneInfo

from flask import abort, g, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.appointments import services
from app.appointments.forms import AvailabilityForm, CoachProfileForm, TimeOffForm
from app.appointments.models import Availability, TimeOff
from app.appointments.queries import (
    get_coach_profile,
    get_owned_or_404,
    list_availability,
    list_time_off,
)
from app.core.db import utcnow
from app.core.lifecycle import done, perform
from app.schedule.forms import weekday_names
from app.schedule.queries import list_class_types, local_today
from app.studios.console import coach_blueprint, requires
from app.studios.policies import can_set_own_hours
from app.studios.queries import list_locations

bp = coach_blueprint("appointments_coach", __name__)
PAGE = "appointments/coach/profile.html"


def _page(form=None, status: int = 200):
    profile, types = get_coach_profile(g.studio, current_user), list_class_types(g.studio)
    return render_template(PAGE, studio=g.studio, profile=profile, coach=current_user,
                           form=form or CoachProfileForm.of(profile, types)), status


@bp.get("/profile")
def profile():
    return _page()


@bp.post("/profile")
def save_profile():
    form = CoachProfileForm(class_types=list_class_types(g.studio))
    if not form.validate_on_submit():
        return _page(form, 422)
    return perform(lambda: services.save_coach_profile(g.studio, current_user,
                                                       actor=current_user, **form.fields()),
                   lambda _saved: done(_("Your profile is saved."), url_for(".profile")))


def _hours_page(hours=None, off=None, status: int = 200):
    return render_template(
        "appointments/coach/hours.html", studio=g.studio, coach=current_user,
        windows=list_availability(g.studio, current_user, local_today(g.studio.timezone)),
        time_off=list_time_off(g.studio, current_user, utcnow()),
        hours_form=hours or AvailabilityForm.for_studio(g.studio, list_locations(g.studio)),
        off_form=off or TimeOffForm(prefix="off"),
        weekday_names=weekday_names(g.studio.first_weekday), tz=g.studio.timezone), status


@bp.get("/hours")
@requires(can_set_own_hours)
def hours():
    return _hours_page()


@bp.post("/hours")
@requires(can_set_own_hours)
def add_hours():
    locations = list_locations(g.studio)
    form = AvailabilityForm.for_studio(g.studio, locations)
    if not form.validate_on_submit():
        return _hours_page(hours=form, status=422)
    location = next(loc for loc in locations if loc.id == form.location_id.data)
    return perform(
        lambda: services.add_availability(g.studio, current_user, location,
                                          weekday=form.weekday.data, starts=form.starts.data,
                                          ends=form.ends.data, on_date=form.on_date.data,
                                          actor=current_user),
        lambda _added: done(_("Hours added."), url_for(".hours")))


@bp.post("/time-off")
@requires(can_set_own_hours)
def add_time_off():
    form = TimeOffForm(prefix="off")
    if not form.validate_on_submit():
        return _hours_page(off=form, status=422)
    zone = ZoneInfo(g.studio.timezone)
    return perform(
        lambda: services.add_time_off(g.studio, current_user,
                                      starts_at=form.starts.data.replace(tzinfo=zone),
                                      ends_at=form.ends.data.replace(tzinfo=zone),
                                      reason=form.reason.data or "", actor=current_user),
        lambda _added: done(_("Time off added."), url_for(".hours")))


def _own_row_or_404(model, row_id: int):
    """One of the coach's own rows (hours, time off): another coach's is a 404."""
    row = get_owned_or_404(model, g.studio, row_id)
    if row.coach_id != current_user.id:
        abort(404)
    return row


@bp.post("/hours/<int:row_id>/delete")
@requires(can_set_own_hours)
def delete_hours(row_id: int):
    row = _own_row_or_404(Availability, row_id)
    return perform(lambda: services.remove(row, actor=current_user),
                   lambda _removed: done(_("Removed."), url_for(".hours")))


@bp.post("/time-off/<int:row_id>/delete")
@requires(can_set_own_hours)
def delete_time_off(row_id: int):
    row = _own_row_or_404(TimeOff, row_id)
    return perform(lambda: services.remove(row, actor=current_user),
                   lambda _removed: done(_("Removed."), url_for(".hours")))
