"""The coach's workout templates and clients' training plans, and the workout editor they share.

Every editor action is a POST answering htmx with the block it changed (the whole workout, or
one exercise) plus the page's "Saved" status out of band; without htmx it redirects (303).
"""

from flask import abort, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from app.core.htmx import render, wants_fragment
from app.core.i18n import translated
from app.core.lifecycle import perform
from app.studios.queries import get_studio_customer_or_404
from app.training import forms
from app.training.coach_views import bp
from app.training.errors import UnknownExercise, UnknownTemplate
from app.training.models import EQUIPMENT_LABELS, MUSCLE_LABELS, PlanStatus
from app.training.policies import can_train_clients
from app.training.queries.loaders import (
    exercise_counts,
    get_item_or_404,
    get_library_exercise_or_404,
    get_plan_or_404,
    get_set_or_404,
    get_workout_or_404,
    list_client_plans,
    list_exercises,
    list_templates,
    neighbour_days,
    parse_muscle_group,
    plan_weeks,
    workout_items,
)
from app.training.services import plans

TEMPLATES, EDITOR = "training/coach/workouts.html", "training/coach/workout.html"
PLANS, PLAN = "training/coach/plans.html", "training/coach/plan.html"
UNITS = {"kg": _l("kg"), "lb": _l("lb")}
WORKOUT = "/workouts/<int:workout_id>"
ITEM = WORKOUT + "/exercises/<int:item_id>"


def _unit(studio) -> str:
    return str(UNITS.get(studio.load_unit, studio.load_unit))


def _form_id(name: str, error) -> int:
    """A row id chosen in the form; anything but a plain number is `error` (422)."""
    value = request.form.get(name, "")
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        raise error()
    return int(value)


def _studio_or_404():
    """The studio in the URL, for staff who train its clients; for anyone else it does not
    exist."""
    if not can_train_clients(current_user, g.studio):
        abort(404)
    return g.studio


def _workout_context(studio, workout, **extra) -> dict:
    """What the workout block and an exercise block need (page and fragments alike)."""
    archived = workout.plan is not None and workout.plan.status == PlanStatus.ARCHIVED
    return dict(studio=studio, workout=workout, items=workout_items(workout), editable=not archived,
                unit=_unit(studio), error=None, error_at=None, values={},
                status_oob=wants_fragment(), saved="") | extra


def _page_context(studio, workout) -> dict:
    """The rest of the editor page: the exercise picker, and a plan day's surroundings."""
    search = request.args.get("q", "")[:100]
    muscle = parse_muscle_group(request.args.get("muscle"))
    context = dict(search=search, muscle=muscle, muscle_labels=MUSCLE_LABELS,
                   equipment_labels=EQUIPMENT_LABELS,
                   exercises=list_exercises([studio], search, muscle), plan=workout.plan)
    if workout.plan is not None:
        before, after = neighbour_days(workout)
        context.update(before=before, after=after, templates=list_templates([studio]))
    return context


def _editor(studio, workout, block: str | None, *, status: int = 200, **extra):
    context = _workout_context(studio, workout, **extra)
    if block is None or block == "picker_results" or not wants_fragment():
        context |= _page_context(studio, workout)
    oob = ("save_status",) if block not in (None, "picker_results") else ()
    return render(EDITOR, block, status=status, oob=oob, **context)


def _edit(workout_id: int, change, *, block: str = "workout", item_id: int | None = None,
          set_id: int | None = None, error_at=None):
    """Load the workout (and exercise, set) through the studio, apply `change`, commit, answer
    with the changed block; a refused change shows its message there and saves nothing."""
    studio = _studio_or_404()
    workout = get_workout_or_404(studio, workout_id)
    item = get_item_or_404(workout, item_id) if item_id is not None else None
    set_ = get_set_or_404(item, set_id) if set_id is not None else None
    error_at = error_at or ("workout" if block == "workout" else f"item-{item_id}")

    def changed(message):
        if not wants_fragment():
            anchor = f"workout-item-{item.id}" if block == "workout_item" else None
            return redirect(url_for(".edit_workout", workout_id=workout.id, _anchor=anchor), 303)
        return _editor(studio, workout, block, item=item, saved=message or _("Saved"))

    def refused(exc):
        if exc.status == 404:
            abort(404)
        values = {k: v[:20] for k, v in request.form.items() if k != "csrf_token"}
        return _editor(studio, workout, block, status=exc.status, item=item, error=str(exc),
                       error_at=error_at, values=values, saved=_("Not saved."))
    return perform(lambda: change(studio, workout, item, set_), changed, failed=refused)


# --- Templates ----------------------------------------------------------------------------------


@bp.get("/workouts/")
def list_workouts():
    return _templates(_studio_or_404())


def _templates(studio, *, status: int = 200, form=None, error=None):
    templates = list_templates([studio])
    return render(TEMPLATES, status=status, studio=studio, templates=templates, form=form or {},
                  error=error, counts=exercise_counts(t.id for t in templates))


@bp.post("/workouts/")
def create_workout():
    studio = _studio_or_404()
    title = request.form.get("title", "")

    def create():
        return plans.create_template(studio, forms.parse_title(title, required=True),
                                     actor=current_user)
    return perform(
        create, lambda template: redirect(url_for(".edit_workout", workout_id=template.id), 303),
        failed=lambda exc: _templates(studio, status=exc.status, error=str(exc),
                                      form={"title": title[:200]}))


@bp.post(WORKOUT + "/delete")
def delete_workout(workout_id: int):
    workout = get_workout_or_404(_studio_or_404(), workout_id)
    if not workout.is_template:
        abort(404)
    return perform(lambda: plans.delete_template(workout, actor=current_user),
                   lambda _none: redirect(url_for(".list_workouts"), 303))


# --- The editor ---------------------------------------------------------------------------------


@bp.get(WORKOUT)
def edit_workout(workout_id: int):
    studio = _studio_or_404()
    return _editor(studio, get_workout_or_404(studio, workout_id), None)


@bp.get(WORKOUT + "/exercises")
def search_exercises(workout_id: int):
    studio = _studio_or_404()
    return _editor(studio, get_workout_or_404(studio, workout_id), "picker_results")


@bp.post(WORKOUT + "/title")
def rename_workout(workout_id: int):
    studio = _studio_or_404()
    workout = get_workout_or_404(studio, workout_id)
    title = request.form.get("title", "")

    def rename():
        parsed = forms.parse_title(title, required=workout.is_template)
        return plans.rename_workout(workout, parsed, actor=current_user)

    def renamed(_workout):
        if not wants_fragment():
            return redirect(url_for(".edit_workout", workout_id=workout_id), 303)
        return _editor(studio, workout, "workout_title", saved=_("Saved"))
    return perform(rename, renamed, failed=lambda exc: _editor(
        studio, workout, "workout_title", status=exc.status, error=str(exc), error_at="title",
        values={"title": title[:200]}, saved=_("Not saved.")))


@bp.post(WORKOUT + "/exercises")
def add_exercise(workout_id: int):
    def add(studio_, workout, _item, _set):
        exercise = get_library_exercise_or_404(studio_, _form_id("exercise_id", UnknownExercise))
        plans.add_workout_exercise(workout, exercise, actor=current_user)
        return _("Added: %(name)s", name=translated(exercise.name))
    return _edit(workout_id, add)


@bp.post(ITEM + "/remove")
def remove_exercise(workout_id: int, item_id: int):
    def remove(_studio, workout, item, _set):
        plans.remove_workout_exercise(workout, item, actor=current_user)
        return _("Removed: %(name)s", name=translated(item.exercise.name))
    return _edit(workout_id, remove, item_id=item_id)


@bp.post(ITEM + "/up", defaults={"offset": -1})
@bp.post(ITEM + "/down", defaults={"offset": 1})
def move_exercise(workout_id: int, item_id: int, offset: int):
    def move(_studio, workout, item, _set):
        plans.move_workout_exercise(workout, item, offset, actor=current_user)
        return _("Moved: %(name)s is number %(position)s", name=translated(item.exercise.name),
                 position=item.position + 1)
    return _edit(workout_id, move, item_id=item_id)


@bp.post(ITEM + "/rest")
def set_rest(workout_id: int, item_id: int):
    def rest(_studio, workout, item, _set):
        plans.set_rest(workout, item, forms.parse_rest(request.form.get("rest_seconds")),
                       actor=current_user)
    return _edit(workout_id, rest, block="workout_item", item_id=item_id,
                 error_at=f"rest-{item_id}")


@bp.post(ITEM + "/sets")
def add_set(workout_id: int, item_id: int):
    def new_set(_studio, workout, item, _set):
        plans.add_set(workout, item, actor=current_user)
        return _("Set added")
    return _edit(workout_id, new_set, block="workout_item", item_id=item_id)


@bp.post(ITEM + "/sets/<int:set_id>")
def update_set(workout_id: int, item_id: int, set_id: int):
    def change(studio_, workout, item, set_):
        target = forms.parse_target(request.form, item.exercise.measure, _unit(studio_))
        plans.update_set(workout, item, set_, reps=target.reps, load=target.load,
                         seconds=target.seconds, meters=target.meters, actor=current_user)
    return _edit(workout_id, change, block="workout_item", item_id=item_id, set_id=set_id,
                 error_at=f"set-{set_id}")


@bp.post(ITEM + "/sets/<int:set_id>/remove")
def remove_set(workout_id: int, item_id: int, set_id: int):
    def remove(_studio, workout, item, set_):
        plans.remove_set(workout, item, set_, actor=current_user)
        return _("Set removed")
    return _edit(workout_id, remove, block="workout_item", item_id=item_id, set_id=set_id)


@bp.post(WORKOUT + "/copy-template")
def copy_template(workout_id: int):
    def copy(studio_, workout, _item, _set):
        template = get_workout_or_404(studio_, _form_id("template_id", UnknownTemplate))
        plans.copy_template_into(template, workout, actor=current_user)
        return _("Added the exercises of %(title)s", title=template.title)
    return _edit(workout_id, copy)


@bp.post(WORKOUT + "/copy-to-weeks")
def copy_to_weeks(workout_id: int):
    def copy(_studio, workout, _item, _set):
        weeks = plans.copy_day_to_every_week(workout, actor=current_user)
        return ngettext("Copied to %(num)s other week", "Copied to %(num)s other weeks", weeks)
    return _edit(workout_id, copy)


# --- A client's plans ---------------------------------------------------------------------------


def _client_or_404(customer_id: int):
    studio = _studio_or_404()
    customer, _link = get_studio_customer_or_404(studio, customer_id)
    return studio, customer


@bp.get("/clients/<int:customer_id>/plans")
def list_plans(customer_id: int):
    studio, customer = _client_or_404(customer_id)
    return render(PLANS, studio=studio, customer=customer, form={}, error=None,
                  plans=list_client_plans(studio, customer))


@bp.post("/clients/<int:customer_id>/plans")
def create_plan(customer_id: int):
    studio, customer = _client_or_404(customer_id)
    form = request.form

    def create():
        title = forms.parse_title(form.get("title", ""), required=True)
        weeks, days = forms.parse_plan_size(form.get("weeks"), form.get("days_per_week"))
        return plans.create_plan(studio, customer, title=title, weeks=weeks, days_per_week=days,
                                 actor=current_user)

    def refused(exc):
        values = {k: (form.get(k) or "")[:200] for k in ("title", "weeks", "days_per_week")}
        return render(PLANS, status=exc.status, studio=studio, customer=customer, form=values,
                      error=str(exc), plans=list_client_plans(studio, customer))
    return perform(create, lambda plan: redirect(
        url_for(".show_plan", training_plan_id=plan.id), 303), failed=refused)


@bp.get("/plans/<int:training_plan_id>")
def show_plan(training_plan_id: int):
    studio = _studio_or_404()
    plan = get_plan_or_404(studio, training_plan_id)
    weeks = plan_weeks(plan)
    return render(PLAN, studio=studio, plan=plan, weeks=weeks,
                  counts=exercise_counts(d.id for week in weeks for d in week))


@bp.post("/plans/<int:training_plan_id>/archive")
def archive_plan(training_plan_id: int):
    plan = get_plan_or_404(_studio_or_404(), training_plan_id)
    return perform(lambda: plans.archive_plan(plan, actor=current_user), lambda plan: redirect(
        url_for(".list_plans", customer_id=plan.client_id), 303))
