"""Studio console for what the studio sells: plans (drop-ins, packs, memberships, intro offers),
and one-off classes and events with the plans they accept or a price of their own."""

from flask import g, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.db import get_in_studio_or_404
from app.core.forms import refused
from app.core.lifecycle import done, perform
from app.memberships.events import create_event
from app.memberships.forms import KINDS, EventForm, PlanForm
from app.memberships.queries import get_plan_or_404, list_plans_to_accept, list_studio_plans
from app.memberships.services import save_plan
from app.schedule.forms import fill_choices
from app.schedule.queries import get_class_type_or_404, list_class_types, local_start
from app.studios.console import console_blueprint
from app.studios.models import Location
from app.studios.policies import can_manage_studio
from app.studios.queries import list_coaches, list_locations, list_rooms

bp = console_blueprint("memberships_manage", __name__, require=can_manage_studio)


def _form(plan=None, **kwargs) -> PlanForm:
    options = {"currency": g.studio.currency,
               "class_types": list_class_types(g.studio), **kwargs}
    return PlanForm.for_plan(plan, **options) if plan else PlanForm(**options)


def _plan_page(form: PlanForm, plan=None, status: int = 200):
    return render_template("memberships/manage/plan.html", studio=g.studio, plan=plan,
                           form=form), status


@bp.get("/plans")
def plans():
    return render_template("memberships/manage/plans.html", studio=g.studio,
                           plans=list_studio_plans(g.studio),
                           kinds=dict(KINDS),
                           class_types={ct.id: ct for ct in list_class_types(g.studio)})


@bp.get("/plans/new")
def new_plan():
    return _plan_page(_form())


@bp.post("/plans")
def create_plan():
    form = _form()
    if not form.validate_on_submit():
        return _plan_page(form, status=422)
    return perform(lambda: save_plan(g.studio, **form.maps()),
                   lambda _saved: done(_("Plan saved."), url_for(".plans")))


@bp.get("/plans/<int:plan_id>")
def edit_plan(plan_id: int):
    plan = get_plan_or_404(g.studio, plan_id)
    return _plan_page(_form(plan), plan)


@bp.post("/plans/<int:plan_id>")
def update_plan(plan_id: int):
    plan = get_plan_or_404(g.studio, plan_id)
    form = _form()
    if not form.validate_on_submit():
        return _plan_page(form, plan, 422)
    return perform(lambda: save_plan(g.studio, plan, **form.maps()),
                   lambda _saved: done(_("Plan saved."), url_for(".plans")))


def _event_form() -> EventForm:
    form = EventForm(currency=g.studio.currency, plans=list_plans_to_accept(g.studio))
    return fill_choices(form, class_types=list_class_types(g.studio),
                        locations=list_locations(g.studio), coaches=list_coaches(g.studio),
                        rooms=list_rooms(g.studio))


def _event_page(form: EventForm, status: int = 200):
    return render_template("schedule/manage/one_off.html", studio=g.studio, form=form), status


@bp.get("/classes/new")
def new_class():
    return _event_page(_event_form())


@bp.post("/classes/new")
def create_class():
    """A one-off class or event, outside any series: the plans it accepts, maybe a price."""
    form = _event_form()
    if not form.validate_on_submit():
        return _event_page(form, 422)
    coaches = {u.id: u for u in list_coaches(g.studio)}
    location = get_in_studio_or_404(Location, g.studio, form.location_id.data)
    class_type = get_class_type_or_404(g.studio, form.class_type_id.data)
    return perform(
        lambda: create_event(
            g.studio, actor=current_user, class_type=class_type, location=location,
            room=form.chosen_room(), coach=coaches.get(form.coach_id.data),
            starts_at=local_start(form.day.data, form.start_time.data, location.timezone),
            duration_minutes=form.duration_minutes.data, capacity=form.capacity.data,
            plan_ids=form.plan_ids.data or [], price_minor=form.price.minor),
        lambda made: done(_("The class is on the schedule."),
                          url_for("bookings_manage.roster", class_id=made.id)),
        failed=lambda error: _event_page(refused(form, error), error.status))
