"""Studio console for bookings: the console's home (the coming week with how full each class
is), a class's roster, cancelling the class (everyone booked is
told and keeps their credit), and giving a late canceller their credit back; changing a series
or one class under the bookings it holds (app/bookings/timetable.py)."""

from datetime import timedelta

from flask import abort, g, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.bookings import entitlements, services, timetable
from app.bookings.queries import class_states, get_booking_or_404, roster_context
from app.core.db import utcnow
from app.core.forms import refused
from app.core.i18n import local
from app.core.lifecycle import done, perform
from app.schedule.forms import ClassEditForm, EndSeriesForm, SeriesEditForm, fill_choices
from app.schedule.queries import (
    ScheduleFilters,
    day_bounds,
    get_class_or_404,
    get_series_or_404,
    list_classes,
    local_start,
    local_today,
)
from app.studios.checklist import checklist
from app.studios.console import console_blueprint, requires
from app.studios.policies import can_manage_studio, can_refund, can_work_desk
from app.studios.queries import list_coaches, list_rooms
from app.studios.today import Window, today_facts

# The desk opens the week and the rosters; cancelling or changing classes and series, and
# giving credits back, are the managers'.
bp = console_blueprint("bookings_manage", __name__, require=can_work_desk)


@bp.get("/")
def dashboard():
    """Today's counts, then the coming seven days: every class with how full it is; the setup
    checklist for managers."""
    tz = g.studio.timezone
    today = local_today(tz)
    classes = list_classes(g.studio, today, 7, ScheduleFilters(), tz)
    return render_template("bookings/manage/dashboard.html", studio=g.studio, tz=tz,
                           classes=classes, today=today_facts(g.studio, _window(today, tz)),
                           steps=checklist(g.studio) if can_manage_studio(current_user, g.studio)
                           else [],
                           states=class_states(g.studio, classes, None, utcnow()))


def _window(today, tz: str) -> Window:
    day_start, day_end = day_bounds(today, tz)
    week_day = today - timedelta(days=(today.isoweekday() - g.studio.first_weekday) % 7)
    return Window(day_start, day_end, day_bounds(week_day, tz)[0])


@bp.get("/classes/<int:class_id>")
def roster(class_id: int):
    cls = get_class_or_404(g.studio, class_id)
    return render_template("bookings/manage/roster.html", studio=g.studio,
                           **roster_context(g.studio, cls, utcnow()))


@bp.post("/classes/<int:class_id>/bookings/<int:booking_id>/waive")
@requires(can_refund)
def waive_late_cancel(class_id: int, booking_id: int):
    """Give a late-cancelled customer their credit back (audited; a second time does nothing)."""
    cls = get_class_or_404(g.studio, class_id)
    booking = get_booking_or_404(g.studio, booking_id)
    if booking.class_id != cls.id:
        abort(404)
    back = url_for(".roster", class_id=cls.id, _anchor="late-cancels")
    return perform(
        lambda: entitlements.provider().waive_late_cancel(g.studio, booking, actor=current_user),
        lambda given: done(_("The credit is back on the customer's pass.") if given else
                           _("There is no credit to give back for this booking."), back,
                           "success" if given else "info"))


@bp.post("/classes/<int:class_id>/cancel")
@requires(can_manage_studio)
def cancel_class(class_id: int):
    cls = get_class_or_404(g.studio, class_id)
    back = url_for(".roster", class_id=class_id)
    return perform(lambda: services.cancel_class(g.studio, cls, actor=current_user),
                   lambda cancelled: done(_("The class is cancelled and everyone booked "
                                            "has been told."), back), back=back)


def _changed(result: timetable.TimetableChange) -> str:
    """What a timetable change did, in one message for staff."""
    parts = [ngettext("%(num)s class changed.", "%(num)s classes changed.", result.changed)]
    if result.created:
        parts.append(ngettext("%(num)s class added.", "%(num)s classes added.", result.created))
    if result.removed:
        parts.append(ngettext("%(num)s class removed.", "%(num)s classes removed.",
                              result.removed))
    if result.told:
        parts.append(ngettext("%(num)s booked customer told.", "%(num)s booked customers told.",
                              result.told))
    if result.kept:
        parts.append(ngettext("%(num)s class with bookings was kept: cancel it from its roster "
                              "if it should not run.", "%(num)s classes with bookings were kept: "
                              "cancel them from their rosters if they should not run.",
                              len(result.kept)))
    if result.held:
        parts.append(ngettext("%(num)s class within its notice kept its time.",
                              "%(num)s classes within their notice kept their time.",
                              len(result.held)))
    return " ".join(parts)


def _series_page(series, form, end_form, status: int = 200):
    return render_template("bookings/manage/series_edit.html", studio=g.studio, series=series,
                           form=form, end_form=end_form), status


def _series_form(series, **kwargs) -> SeriesEditForm:
    form = fill_choices(SeriesEditForm(series_starts_on=series.starts_on, **kwargs),
                        coaches=list_coaches(g.studio), rooms=list_rooms(g.studio),
                        first_weekday=g.studio.first_weekday)
    form.at_location = series.location_id
    return form


@bp.get("/series/<int:series_id>")
@requires(can_manage_studio)
def edit_series(series_id: int):
    series = get_series_or_404(g.studio, series_id)
    form = _series_form(series, data={
        "coach_id": series.coach_id or 0, "room_id": series.room_id or 0,
        "weekdays": series.weekday_list,
        "start_time": series.start_time, "duration_minutes": series.duration_minutes,
        "capacity": series.capacity, "ends_on": series.ends_on})
    return _series_page(series, form, EndSeriesForm(last_day=local_today(g.studio.timezone)))


@bp.post("/series/<int:series_id>")
@requires(can_manage_studio)
def update_series(series_id: int):
    """Change a series: its classes yet to start follow; the people booked are told."""
    series = get_series_or_404(g.studio, series_id)
    form = _series_form(series)
    if not form.validate_on_submit():
        return _series_page(series, form, EndSeriesForm(), 422)
    return perform(
        lambda: timetable.change_series(
            g.studio, series, actor=current_user, weekdays=form.weekdays.data,
            start_time=form.start_time.data,
            duration_minutes=form.duration_minutes.data or series.class_type.duration_minutes,
            coach_id=form.coach_id.data or None, room_id=form.room_id.data or None,
            capacity=form.capacity.data, ends_on=form.ends_on.data),
        lambda result: done(_changed(result), url_for(".edit_series", series_id=series.id)),
        failed=lambda error: _series_page(series, refused(form, error), EndSeriesForm(),
                                          error.status))


@bp.post("/series/<int:series_id>/end")
@requires(can_manage_studio)
def end_series(series_id: int):
    """End a series after a given day: later classes nobody booked are removed."""
    series = get_series_or_404(g.studio, series_id)
    end_form = EndSeriesForm()
    if end_form.validate_on_submit() and end_form.last_day.data < series.starts_on:
        end_form.last_day.errors.append(_("The last day must not be before the first day."))
    elif end_form.validate_on_submit():
        return perform(
            lambda: timetable.change_series(g.studio, series, actor=current_user,
                                            ends_on=end_form.last_day.data),
            lambda result: done(_changed(result), url_for(".edit_series", series_id=series.id)),
            failed=lambda error: _series_page(series, _series_form(series),
                                              refused(end_form, error), error.status))
    return _series_page(series, _series_form(series), end_form, 422)


def _class_page(cls, form, status: int = 200):
    return render_template("bookings/manage/class_edit.html", studio=g.studio, cls=cls,
                           form=form), status


@bp.get("/classes/<int:class_id>/edit")
@requires(can_manage_studio)
def edit_class(class_id: int):
    cls = get_class_or_404(g.studio, class_id)
    start = local(cls.starts_at, cls.timezone)
    form = _class_form(cls, data={
        "coach_id": cls.coach_id or 0, "room_id": cls.room_id or 0, "day": start.date(),
        "start_time": start.time(),
        "duration_minutes": int((cls.ends_at - cls.starts_at).total_seconds() // 60),
        "capacity": cls.capacity})
    return _class_page(cls, form)


def _class_form(cls, **kwargs) -> ClassEditForm:
    form = fill_choices(ClassEditForm(**kwargs), coaches=list_coaches(g.studio),
                        rooms=list_rooms(g.studio))
    form.at_location = cls.location_id
    return form


@bp.post("/classes/<int:class_id>/edit")
@requires(can_manage_studio)
def update_class(class_id: int):
    """One class: a substitute coach, a new time, another capacity."""
    cls = get_class_or_404(g.studio, class_id)
    form = _class_form(cls)
    if not form.validate_on_submit():
        return _class_page(cls, form, 422)
    return perform(
        lambda: timetable.change_class(
            g.studio, cls, actor=current_user,
            starts_at=local_start(form.day.data, form.start_time.data, cls.timezone),
            duration_minutes=form.duration_minutes.data, coach_id=form.coach_id.data or None,
            room_id=form.room_id.data or None, capacity=form.capacity.data),
        lambda result: done(_changed(result), url_for(".roster", class_id=cls.id)),
        failed=lambda error: _class_page(cls, refused(form, error), error.status))
