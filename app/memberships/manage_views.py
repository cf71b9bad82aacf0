"""Studio console for what the studio sells: plans (drop-ins, packs, memberships, intro offers)."""

from flask import g, render_template, url_for
from flask_babel import gettext as _

from app.core.lifecycle import done, perform
from app.memberships.forms import KINDS, PlanForm
from app.memberships.queries import get_plan_or_404, list_studio_plans
from app.memberships.services import save_plan
from app.schedule.queries import list_class_types
from app.studios.console import console_blueprint
from app.studios.policies import can_manage_studio

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
