"""Operator console: every tenant with its size, platform users, and the background work the
worker still owes (jobs not yet handed to Redis, card payments not yet applied)."""

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.factors.forms import ResetSecondStepForm
from app.accounts.factors.views import operator_blueprint
from app.accounts.forms import zone_choices
from app.billing.stripe.inbox import unapplied_by_studio
from app.core import outbox
from app.core.db import utcnow
from app.core.i18n import current_language
from app.core.lifecycle import done, perform
from app.extensions import db
from app.notifications.models import Status
from app.notifications.queries import platform_log, status_counts
from app.operator import services
from app.operator.queries import count_bookings_by_studio, count_customers_by_studio, count_users
from app.studios.forms import OperatorStudioForm, name_map
from app.studios.models import Studio
from app.studios.queries import list_studios
from app.studios.services.operating import resume_studio, suspend_studio
from app.studios.services.starting import start_studio

bp = operator_blueprint("operator", __name__)


@bp.get("/")
def dashboard():
    return _dashboard(ResetSecondStepForm())


def _dashboard(reset_form, status: int = 200):
    customers = count_customers_by_studio()
    bookings = count_bookings_by_studio()
    payments = unapplied_by_studio()
    jobs, oldest_job = outbox.backlog()
    return render_template(
        "operator/operator/dashboard.html",
        studios=list_studios(),
        customers=customers, bookings=bookings, payments=payments,
        user_count=count_users(),
        jobs=jobs, payment_count=sum(n for n, _oldest in payments.values()),
        job_wait=_minutes_since(oldest_job),
        payment_wait=_minutes_since(min((o for _n, o in payments.values()), default=None)),
        reset_form=reset_form,
    ), status


@bp.get("/notifications")
def notifications():
    """The delivery log platform-wide, newest first, by status."""
    status = request.args.get("status", "")
    if status and status not in {s.value for s in Status}:
        abort(404)
    return render_template("operator/operator/notifications.html", status=status,
                           rows=platform_log(status or None), counts=status_counts())


@bp.post("/second-step/reset")
def reset_second_step():
    """A staff member lost their phone: their second step is reset (audited)."""
    form = ResetSecondStepForm()
    if not form.validate_on_submit():
        return _dashboard(form, 422)
    return perform(lambda: services.reset_second_step(form.email.data, actor=current_user),
                   lambda user: done(_("The second step of %(email)s is reset. They set up a "
                                       "new one at their next sign-in.", email=user.email),
                                     url_for("operator.dashboard")),
                   back=url_for("operator.dashboard"))


def _new_studio_page(form=None, status: int = 200):
    return render_template("operator/operator/new_studio.html", form=form or OperatorStudioForm(
        formdata=None, country="SA", default_language=current_language()),
        zones=zone_choices(current_language())), status


@bp.get("/studios/new")
def new_studio():
    return _new_studio_page()


def _shown_on_slug(form):
    def answer(exc):
        form.slug.errors.append(str(exc))
        return _new_studio_page(form, exc.status)
    return answer


@bp.post("/studios")
def create_studio():
    form = OperatorStudioForm()
    if not form.validate_on_submit():
        return _new_studio_page(form, 422)
    return perform(lambda: start_studio(
        actor=current_user, owner_email=form.owner_email.data,
        name=name_map(form.name_ar.data, form.name_en.data), slug=form.slug.data,
        country=form.country.data, province=form.province.data,
        location_name=form.location_name(), address=form.address.data or "",
        timezone=form.zone(), default_language=form.default_language.data),
                   lambda studio: done(_("Studio created; its owner was invited by email."),
                                       url_for(".dashboard")),
                   failed=_shown_on_slug(form))


def _studio_or_404(studio_id: int) -> Studio:
    return db.get_or_404(Studio, studio_id)


@bp.post("/studios/<int:studio_id>/suspend")
def suspend(studio_id: int):
    studio = _studio_or_404(studio_id)
    return perform(lambda: suspend_studio(studio, actor=current_user),
                   lambda _s: done(_("Studio suspended: customers see it is closed for now."),
                                   url_for(".dashboard")))


@bp.post("/studios/<int:studio_id>/resume")
def resume(studio_id: int):
    studio = _studio_or_404(studio_id)
    return perform(lambda: resume_studio(studio, actor=current_user),
                   lambda _s: done(_("Studio resumed."), url_for(".dashboard")))


def _minutes_since(moment) -> int | None:
    return None if moment is None else max(0, int((utcnow() - moment).total_seconds() // 60))
