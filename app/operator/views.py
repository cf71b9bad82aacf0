"""Operator console: every tenant with its size, and platform users."""

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.accounts.models import User
from app.bookings.models import Booking
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
    return render_template(
        "operator/dashboard.html",
        studios=db.session.scalars(select(Studio).order_by(Studio.slug)).all(),
        customers=customers, bookings=bookings,
        user_count=db.session.scalar(select(func.count()).select_from(User)),
    )
