"""The coach's day: today's classes (each with its roster) and 1:1 sessions across their
studios, each studio's "today" in its own time zone."""

from datetime import timedelta

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.appointments.queries import list_coach_appointments
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
    def today_there(item) -> bool:
        return local(item.starts_at, item.timezone).date() == local(now, item.timezone).date()

    classes = [c for c in nearby if today_there(c)]
    sessions = [a for a in list_coach_appointments(current_user, now - timedelta(hours=36),
                                                   now + timedelta(hours=36)) if today_there(a)]
    return render_template("coach/today.html", classes=classes, sessions=sessions,
                           rosters={c.id: list_roster(c) for c in classes}, now=now)
