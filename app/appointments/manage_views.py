"""Studio console for 1:1 sessions: session types, each coach's weekly hours and time off, and
each coach's profile in the coach directory."""

from zoneinfo import ZoneInfo

from flask import abort, g, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.appointments import entitlements, services
from app.appointments.forms import (
    AvailabilityForm,
    CoachProfileForm,
    SessionTypeForm,
    TimeOffForm,
)
from app.appointments.models import Availability, TimeOff
from app.appointments.queries import (
    get_coach_or_404,
    get_coach_profile,
    get_owned_or_404,
    get_session_type_or_404,
    list_availability,
    list_session_types,
    list_time_off,
)
from app.core.db import utcnow
from app.core.lifecycle import done, perform
from app.core.money import to_input
from app.schedule.forms import weekday_names
from app.schedule.queries import list_class_types, local_today
from app.studios.console import console_blueprint
from app.studios.policies import can_manage_studio
from app.studios.queries import list_coaches, list_locations

bp = console_blueprint("appointments_manage", __name__, require=can_manage_studio)


def _currency() -> str:
    return g.studio.currency


def _type_form(currency: str, **values) -> SessionTypeForm:
    return SessionTypeForm(currency=currency,
                           plans=entitlements.provider().plan_choices(g.studio), **values)


def _types_page(form, status=200):
    return render_template("appointments/manage/types.html", studio=g.studio, form=form,
                           session_types=list_session_types(g.studio),
                           coaches=list_coaches(g.studio)), status


@bp.get("/sessions")
def session_types():
    return _types_page(_type_form(_currency()))


@bp.post("/sessions")
def create_session_type():
    form = _type_form(_currency())
    if not form.validate_on_submit():
        return _types_page(form, 422)
    return perform(lambda: services.save_session_type(g.studio, **form.values()),
                   lambda _saved: done(_("Session type saved."), url_for(".session_types")))


def _edit_page(session_type, form, status=200):
    return render_template("appointments/manage/type_edit.html", studio=g.studio, form=form,
                           session_type=session_type), status


@bp.get("/sessions/types/<int:session_type_id>")
def edit_session_type(session_type_id: int):
    st = get_session_type_or_404(g.studio, session_type_id)
    form = _type_form(st.currency, name_en=st.name.get("en", ""),
                      name_ar=st.name.get("ar", ""), duration_minutes=st.duration_minutes,
                      buffer_minutes=st.buffer_minutes, active=st.active,
                      price=to_input(st.price_minor, st.currency), plan_ids=st.plan_ids,
                      cancel_cutoff_minutes=st.cancel_cutoff_minutes,
                      late_cancel_fee=(to_input(st.late_cancel_fee_minor, st.currency)
                                       if st.late_cancel_fee_minor else ""))
    return _edit_page(st, form)


@bp.post("/sessions/types/<int:session_type_id>")
def update_session_type(session_type_id: int):
    st = get_session_type_or_404(g.studio, session_type_id)
    form = _type_form(st.currency)
    if not form.validate_on_submit():
        return _edit_page(st, form, 422)
    return perform(lambda: services.save_session_type(g.studio, st, **form.values()),
                   lambda _saved: done(_("Session type saved."), url_for(".session_types")))


def _availability_form() -> AvailabilityForm:
    return AvailabilityForm.for_studio(g.studio, list_locations(g.studio))


def _coach_page(coach, *, hours=None, off=None, status=200):
    return render_template(
        "appointments/manage/coach.html", studio=g.studio, coach=coach,
        windows=list_availability(g.studio, coach, local_today(g.studio.timezone)),
        time_off=list_time_off(g.studio, coach, utcnow()),
        hours_form=hours or _availability_form(), off_form=off or TimeOffForm(prefix="off"),
        weekday_names=weekday_names(g.studio.first_weekday), tz=g.studio.timezone), status


@bp.get("/sessions/coaches/<int:coach_id>")
def coach_hours(coach_id: int):
    return _coach_page(get_coach_or_404(g.studio, coach_id))


@bp.post("/sessions/coaches/<int:coach_id>/hours")
def add_hours(coach_id: int):
    coach = get_coach_or_404(g.studio, coach_id)
    form = _availability_form()
    if not form.validate_on_submit():
        return _coach_page(coach, hours=form, status=422)
    location = next(loc for loc in list_locations(g.studio) if loc.id == form.location_id.data)
    return perform(
        lambda: services.add_availability(g.studio, coach, location, weekday=form.weekday.data,
                                          starts=form.starts.data, ends=form.ends.data,
                                          on_date=form.on_date.data, actor=current_user),
        lambda _added: done(_("Hours added."), url_for(".coach_hours", coach_id=coach.id)))


@bp.post("/sessions/coaches/<int:coach_id>/time-off")
def add_time_off(coach_id: int):
    coach = get_coach_or_404(g.studio, coach_id)
    form = TimeOffForm(prefix="off")
    if not form.validate_on_submit():
        return _coach_page(coach, off=form, status=422)
    zone = ZoneInfo(g.studio.timezone)
    return perform(
        lambda: services.add_time_off(g.studio, coach,
                                      starts_at=form.starts.data.replace(tzinfo=zone),
                                      ends_at=form.ends.data.replace(tzinfo=zone),
                                      reason=form.reason.data or "", actor=current_user),
        lambda _added: done(_("Time off added."), url_for(".coach_hours", coach_id=coach.id)))


@bp.post("/sessions/coaches/<int:coach_id>/hours/<int:row_id>/delete")
def delete_hours(coach_id: int, row_id: int):
    coach, row = _coach_row_or_404(Availability, coach_id, row_id)
    return perform(lambda: services.remove(row, actor=current_user),
                   lambda _removed: done(_("Removed."), url_for(".coach_hours", coach_id=coach.id)))


@bp.post("/sessions/coaches/<int:coach_id>/time-off/<int:row_id>/delete")
def delete_time_off(coach_id: int, row_id: int):
    coach, row = _coach_row_or_404(TimeOff, coach_id, row_id)
    return perform(lambda: services.remove(row, actor=current_user),
                   lambda _removed: done(_("Removed."), url_for(".coach_hours", coach_id=coach.id)))


def _coach_row_or_404(model, coach_id: int, row_id: int):
    """The coach and one of their `model` rows (hours, time off); a foreign one is a 404."""
    coach = get_coach_or_404(g.studio, coach_id)
    row = get_owned_or_404(model, g.studio, row_id)
    if row.coach_id != coach.id:
        abort(404)
    return coach, row


def _profile_page(coach, form=None, status: int = 200):
    profile, types = get_coach_profile(g.studio, coach), list_class_types(g.studio)
    return render_template("appointments/manage/profile.html", studio=g.studio, coach=coach,
                           profile=profile,
                           form=form or CoachProfileForm.of(profile, types)), status


@bp.get("/sessions/coaches/<int:coach_id>/profile")
def coach_profile(coach_id: int):
    return _profile_page(get_coach_or_404(g.studio, coach_id))


@bp.post("/sessions/coaches/<int:coach_id>/profile")
def save_coach_profile(coach_id: int):
    coach = get_coach_or_404(g.studio, coach_id)
    form = CoachProfileForm(class_types=list_class_types(g.studio))
    if not form.validate_on_submit():
        return _profile_page(coach, form, 422)
    return perform(lambda: services.save_coach_profile(g.studio, coach, actor=current_user,
                                                       **form.fields()),
                   lambda _saved: done(_("The coach's profile is saved."),
                                       url_for(".coach_profile", coach_id=coach.id)))
