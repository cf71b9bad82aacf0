"""The coach's day: today's classes across their studios, each with its roster."""

from datetime import timedelta

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.bookings.queries import list_roster
from app.core.db import utcnow
from app.schedule.queries import list_coach_classes

bp = Blueprint("coach", __name__, url_prefix="/coach")


@bp.get("/")
@login_required
def today():
    now = utcnow()
    classes = list_coach_classes(current_user, now - timedelta(hours=12), now + timedelta(hours=24))
    return render_template("coach/today.html", classes=classes,
                           rosters={c.id: list_roster(c) for c in classes}, now=now)
