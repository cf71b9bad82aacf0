"""The coach's day: today's classes across their studios, each with its roster."""

from datetime import timedelta

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.bookings.queries import list_roster
from app.core.db import utcnow
from app.core.i18n import local
from app.schedule.queries import list_coach_classes

bp = Blueprint("coach", __name__, url_prefix="/coach")


@bp.get("/")
@login_required
def today():
    now = utcnow()
    nearby = list_coach_classes(current_user, now - timedelta(hours=36), now + timedelta(hours=36))
    # "Today" is each studio's own today: a coach in Riyadh and Toronto sees both local days.
    classes = [c for c in nearby if local(c.starts_at, c.timezone).date() == local(now, c.timezone).date()]
    return render_template("coach/today.html", classes=classes,
                           rosters={c.id: list_roster(c) for c in classes}, now=now)
