"""The control routes the benchmark compares real pages against."""

from datetime import timedelta

from flask import Blueprint, render_template
from flask_login import current_user

from app.bookings.queries import list_week
from app.core.db import utcnow
from app.extensions import db
from app.schedule.queries import (
    ScheduleFilters,
    filter_choices,
    group_by_day,
    local_today,
    studio_timezone,
    week_key,
)
from app.studios.queries import get_studio_or_404, list_locations

bp = Blueprint("bench", __name__, url_prefix="/_bench")
_contexts: dict[tuple[str, int], dict] = {}


@bp.get("/hello")
def hello():
    return "hello"


@bp.get("/schedule/<studio>")
def schedule_control(studio: str):
    """schedule/week.html from a context built on the first call (per user), then kept in memory."""
    key = (studio, getattr(current_user, "id", 0))
    context = _contexts.get(key)
    if context is None:
        context = _build(studio)
        render_template("schedule/week.html", **context)  # loads every lazy attribute once
        db.session.expunge_all()  # detached, fully loaded: later renders touch no database
        _contexts[key] = context
    return render_template("schedule/week.html", **context)


def _build(slug: str) -> dict:
    """The same context the real week view builds (app/schedule/views.py:week)."""
    studio = get_studio_or_404(slug)
    tz = studio_timezone(studio)
    today = local_today(tz)
    locations, (class_types, coaches) = list_locations(studio), filter_choices(studio)
    listings, states = list_week(studio, today, ScheduleFilters(), tz, current_user, utcnow(),
                                 class_types=class_types, locations=locations)
    days = group_by_day(listings, today, tz)
    return dict(studio=studio, tz=tz, today=today, start=today, filters=ScheduleFilters(),
                days=days, week_key=week_key(days, states, start=today, today=today,
                                             filters=ScheduleFilters()),
                prev_week=today - timedelta(days=7),
                next_week=today + timedelta(days=7), states=states,
                locations=locations, class_types=class_types, coaches=coaches)
