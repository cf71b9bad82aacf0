"""Operator console: every tenant with its size, platform users, and the background work the
worker still owes (jobs not yet handed to Redis, card payments not yet applied)."""

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.accounts.models import User
from app.billing.stripe.inbox import unapplied_by_studio
from app.bookings.models import Booking
from app.core import outbox
from app.core.db import utcnow
from app.extensions import db
from app.studios.models import Studio, StudioCustomer

bp = Blueprint("operator", __name__, url_prefix="/operator")


@bp.before_request
@login_required
def require_operator():
    if not current_user.is_operator:
        abort(404)


@bp.get("/")
def dashboard():
    customers = dict(db.session.execute(
        select(StudioCustomer.studio_id, func.count()).group_by(StudioCustomer.studio_id)).all())
    bookings = dict(db.session.execute(
        select(Booking.studio_id, func.count()).group_by(Booking.studio_id)).all())
    payments = unapplied_by_studio()
    jobs, oldest_job = outbox.backlog()
    return render_template(
        "operator/operator/dashboard.html",
        studios=db.session.scalars(select(Studio).order_by(Studio.slug)).all(),
        customers=customers, bookings=bookings, payments=payments,
        user_count=db.session.scalar(select(func.count()).select_from(User)),
        jobs=jobs, payment_count=sum(n for n, _oldest in payments.values()),
        job_wait=_minutes_since(oldest_job),
        payment_wait=_minutes_since(min((o for _n, o in payments.values()), default=None)),
    )


def _minutes_since(moment) -> int | None:
    return None if moment is None else max(0, int((utcnow() - moment).total_seconds() // 60))
