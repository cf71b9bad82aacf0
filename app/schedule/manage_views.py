"""Studio console for the schedule: class types and recurring series. Changing a series or a
class touches bookings: those views are bookings_manage's; a one-off class or event, with what
pays for it, is memberships_manage's."""

from flask import g, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.db import get_in_studio_or_404
from app.core.forms import refused
from app.core.lifecycle import done, perform
from app.schedule import services
from app.schedule.forms import (
    ClassTypeEditForm,
    ClassTypeForm,
    SeriesForm,
    fill_choices,
    weekday_names,
)
from app.schedule.queries import (
    get_class_type_or_404,
    list_class_types,
    list_series,
)
from app.studios.console import console_blueprint
from app.studios.models import Location
from app.studios.policies import can_manage_studio
from app.studios.queries import list_coaches, list_locations, list_rooms

bp = console_blueprint("schedule_manage", __name__, require=can_manage_studio)


@bp.get("/class-types")
def class_types():
    return render_template("schedule/manage/class_types.html", studio=g.studio,
                           class_types=list_class_types(g.studio), form=ClassTypeForm())


@bp.post("/class-types")
def create_class_type():
    form = ClassTypeForm()
    if not form.validate_on_submit():
        return render_template("schedule/manage/class_types.html", studio=g.studio,
                               class_types=list_class_types(g.studio), form=form), 422
    return perform(lambda: services.save_class_type(g.studio, actor=current_user, **form.maps()),
                   lambda _saved: done(_("Class type saved."), url_for(".class_types")))


@bp.get("/class-types/<int:type_id>")
def edit_class_type(type_id: int):
    ct = get_class_type_or_404(g.studio, type_id)
    return render_template("schedule/manage/class_type.html", studio=g.studio, class_type=ct,
                           form=ClassTypeEditForm.of(ct, g.studio))


@bp.post("/class-types/<int:type_id>")
def update_class_type(type_id: int):
    """A class type's details and its policies (each empty field: the studio's)."""
    ct = get_class_type_or_404(g.studio, type_id)
    form = ClassTypeEditForm(studio=g.studio)
    if not form.validate_on_submit():
        return render_template("schedule/manage/class_type.html", studio=g.studio, class_type=ct,
                               form=form), 422
    return perform(lambda: services.save_class_type(g.studio, ct, actor=current_user,
                                                    **form.maps(), **form.policies()),
                   lambda _saved: done(_("Class type saved."), url_for(".class_types")))


def with_choices(form):
    return fill_choices(form, class_types=list_class_types(g.studio),
                        locations=list_locations(g.studio), coaches=list_coaches(g.studio),
                        rooms=list_rooms(g.studio), first_weekday=g.studio.first_weekday)


def _series_page(form: SeriesForm, status: int = 200):
    return render_template("schedule/manage/series.html", studio=g.studio,
                           series=list_series(g.studio),
                           form=form, weekday_names=weekday_names(g.studio.first_weekday)), status


@bp.get("/series")
def series():
    return _series_page(with_choices(SeriesForm()))


@bp.post("/series")
def create_series():
    form = with_choices(SeriesForm())
    if not form.validate_on_submit():
        return _series_page(form, 422)
    coaches = {u.id: u for u in list_coaches(g.studio)}
    location = get_in_studio_or_404(Location, g.studio, form.location_id.data)
    class_type = get_class_type_or_404(g.studio, form.class_type_id.data)
    return perform(
        lambda: services.create_series(
            g.studio, class_type=class_type, location=location, room=form.chosen_room(),
            coach=coaches.get(form.coach_id.data), weekdays=form.weekdays.data,
            start_time=form.start_time.data, duration_minutes=form.duration_minutes.data,
            capacity=form.capacity.data, starts_on=form.starts_on.data, ends_on=form.ends_on.data),
        lambda made: done(_("Series saved: the classes are on the schedule."),
                          url_for(".series", _anchor=f"series-{made.id}")),
        failed=lambda error: _series_page(refused(form, error), error.status))
