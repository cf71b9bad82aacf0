"""What static/js/charts.js draws: each chart as a small JSON spec with its labels already in the
page's language. Days are numbers (days since 1970-01-01) so the time axis is to scale; the
script formats them, and every number, with Latin digits."""

from datetime import date

from flask_babel import gettext as _

from app.accounts.models import User
from app.core.db import utcnow
from app.core.i18n import format_day, translated
from app.studios.models import Studio
from app.training.display import unit_label
from app.training.models import RECORD_LABELS
from app.training.queries.progress import (
    ExerciseSeries,
    TrainingOverview,
    WeeklySeries,
    training_overview,
)

EPOCH = date(1970, 1, 1)


def _value_format(unit: str | None = None) -> str:
    """How a tooltip shows a value; charts.js puts the formatted number in place of %v."""
    return _("%(value)s %(unit)s", value="%v", unit=unit_label(unit)) if unit else "%v"


def _week_labels(weekly: WeeklySeries) -> list[str]:
    return [format_day(week, skeleton="MMMd") for week in weekly.weeks]


def _day_number(day: date) -> int:
    return (day - EPOCH).days


def e1rm_chart(series: list[ExerciseSeries], unit: str, today: date) -> dict | None:
    """One line per exercise: its best estimated 1RM on each training day; the time axis runs
    from the first of those days to today."""
    if not series:
        return None
    return {
        "type": "line", "x": "day", "valueFormat": _value_format(unit),
        "xMin": min(_day_number(s.first[0]) for s in series), "xMax": _day_number(today),
        "datasets": [{"label": translated(s.exercise.name),
                      "points": [[_day_number(day), round(float(value), 1)]
                                 for day, value in s.points]}
                     for s in series],
    }


def volume_chart(weekly: WeeklySeries, unit: str) -> dict | None:
    """A bar per ISO week: load × reps lifted that week."""
    if weekly.is_empty:
        return None
    return {
        "type": "bar", "x": "category", "labels": _week_labels(weekly),
        "valueFormat": _value_format(unit),
        "datasets": [{"label": _("Volume"), "values": [float(v) for v in weekly.values["volume"]]}],
    }


def attendance_chart(weekly: WeeklySeries) -> dict | None:
    """Stacked bars per ISO week: classes attended and training sessions."""
    if weekly.is_empty:
        return None
    return {
        "type": "bar", "x": "category", "labels": _week_labels(weekly), "stacked": True,
        "integer": True, "valueFormat": _value_format(),
        "datasets": [{"label": _("Classes attended"), "values": weekly.values["classes"]},
                     {"label": _("Training sessions"), "values": weekly.values["sessions"]}],
    }


def chart_specs(overview: TrainingOverview) -> dict[str, dict | None]:
    """The three progress charts of a client's overview, by name (None: nothing to draw)."""
    return {"e1rm": e1rm_chart(overview.e1rm, overview.unit, overview.today),
            "volume": volume_chart(overview.volume, overview.unit),
            "attendance": attendance_chart(overview.attendance)}


def progress_page(studio: Studio, client: User, page: int, page_url) -> dict:
    """The training page's context (the customer's own or a coach's view of a client), shared
    by the page and its timeline fragment."""
    overview = training_overview(studio, client, utcnow(), page)
    return dict(overview=overview, charts=chart_specs(overview), record_labels=RECORD_LABELS,
                page_url=page_url)
