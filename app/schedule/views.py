"""The customer's week schedule and class page."""

from datetime import date, timedelta

from flask import Blueprint, request
from flask_login import current_user

from app.bookings.queries import panel_state
from app.bookings.week import load_week
from app.core.db import utcnow
from app.core.htmx import render
from app.schedule.queries import ScheduleFilters, get_studio_class_or_404

bp = Blueprint("schedule", __name__, url_prefix="/s/<studio>")


# Weeks outside this range are ignored like malformed ones (date arithmetic would overflow).
FIRST_WEEK, LAST_WEEK = date(2000, 1, 1), date(2999, 12, 31)


def _date_arg(name: str) -> date | None:
    try:
        value = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    return value if FIRST_WEEK <= value <= LAST_WEEK else None


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    # isdecimal, not isdigit: "²" is a digit that int() rejects; ids fit PostgreSQL's integer.
    return int(value) if value.isdecimal() and len(value) < 10 else None


@bp.get("/schedule")
def week(studio: str):
    filters = ScheduleFilters(_int_arg("location"), _int_arg("type"), _int_arg("coach"))
    week = load_week(studio, _date_arg("week"), filters, current_user, utcnow())
    frame = week.frame
    return render(
        "schedule/week.html", "schedule_results",
        studio=frame.studio, tz=frame.tz, today=week.today, start=week.start, filters=filters,
        week=week, prev_week=week.start - timedelta(days=7),
        next_week=week.start + timedelta(days=7),
        locations=frame.locations, class_types=frame.class_types, coaches=frame.coaches,
    )


@bp.get("/classes/<int:class_id>")
def class_detail(studio: str, class_id: int):
    studio, cls = get_studio_class_or_404(studio, class_id)
    state = panel_state(studio, cls, current_user, utcnow(),
                        confirm_cancel=request.args.get("confirm") == "cancel")
    return render("schedule/class_detail.html", "booking_panel", studio=studio, cls=cls,
                  state=state)
