"""The progress charts of a client's training as SVG geometry (app/core/charts.py), labels and
tooltips in the page's language with Latin digits; templates/training/_charts.html draws them."""

from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext

from app.accounts.models import User
from app.core.charts import BarChart, LineChart, bar_chart, line_chart
from app.core.db import utcnow
from app.core.i18n import format_date, format_day, text_direction, translated
from app.studios.models import Studio
from app.training.display import (
    format_distance,
    format_duration,
    format_number,
    format_pace,
    format_weight,
)
from app.training.models import RECORD_LABELS
from app.training.queries.progress import TrainingOverview, training_overview
from app.training.queries.series import EnduranceSeries, ExerciseSeries, WeeklySeries

DAY_LABELS = 4  # dates along the 1RM chart's time axis, first training day to today


def _rtl() -> bool:
    return text_direction() == "rtl"


def _number(value: float) -> str:
    return format_number(value, 1)


def _day(day: date) -> str:
    return format_date(day, fmt="medium")


def best_chart(series: list[ExerciseSeries], today: date, value_text, number) -> LineChart | None:
    """One line per exercise: its best value on each training day; the time axis runs from
    the first of those days to today, to scale. `value_text` words a value for tooltips,
    `number` labels the value axis."""
    if not series:
        return None
    first = min(s.first[0] for s in series)
    span = (today - first).days
    days = sorted({first + timedelta(days=round(span * i / (DAY_LABELS - 1)))
                   for i in range(DAY_LABELS)})
    lines = []
    for s in series:
        name = translated(s.exercise.name)
        lines.append((name, [(day.toordinal(), float(value), _(
            "%(exercise)s: %(value)s on %(date)s", exercise=name,
            value=value_text(value), date=_day(day))) for day, value in s.points]))
    return line_chart(lines, (first.toordinal(), today.toordinal()),
                      [(d.toordinal(), format_day(d, skeleton="MMMd")) for d in days],
                      number, _rtl())


def e1rm_chart(series: list[ExerciseSeries], unit: str, today: date) -> LineChart | None:
    return best_chart(series, today, lambda v: format_weight(v, unit, 1), _number)


def endurance_charts(endurance: EnduranceSeries, today: date) -> dict[str, LineChart | None]:
    """Longest hold, longest distance and fastest pace per training day, by name."""
    return {
        "hold": best_chart(endurance.hold, today, format_duration, format_duration),
        "distance": best_chart(endurance.distance, today, format_distance,
                               lambda v: format_number(v, 0)),
        "pace": best_chart(endurance.pace, today, format_pace, format_duration),
    }


def _week_labels(weekly: WeeklySeries) -> list[str]:
    return [format_day(week, skeleton="MMMd") for week in weekly.weeks]


def volume_chart(weekly: WeeklySeries, unit: str) -> BarChart | None:
    """A bar per week of the studio: load × reps lifted that week."""
    if weekly.is_empty:
        return None
    bars = [(float(v), _("%(value)s in the week of %(date)s", value=format_weight(v, unit),
                         date=_day(week)))
            for week, v in zip(weekly.weeks, weekly.values["volume"], strict=True)]
    return bar_chart([(_("Volume"), bars)], _week_labels(weekly), _number, _rtl())


def attendance_chart(weekly: WeeklySeries) -> BarChart | None:
    """Stacked bars per week of the studio: classes attended and training sessions."""
    if weekly.is_empty:
        return None
    classes = [(n, ngettext("%(num)s class attended in the week of %(date)s",
                            "%(num)s classes attended in the week of %(date)s", n,
                            date=_day(week)))
               for week, n in zip(weekly.weeks, weekly.values["classes"], strict=True)]
    sessions = [(n, ngettext("%(num)s training session in the week of %(date)s",
                             "%(num)s training sessions in the week of %(date)s", n,
                             date=_day(week)))
                for week, n in zip(weekly.weeks, weekly.values["sessions"], strict=True)]
    return bar_chart([(_("Classes attended"), classes), (_("Training sessions"), sessions)],
                     _week_labels(weekly), _number, _rtl(), integer=True)


def progress_charts(overview: TrainingOverview) -> dict[str, LineChart | BarChart | None]:
    """The progress charts of a client's overview, by name (None: nothing to draw)."""
    return {"e1rm": e1rm_chart(overview.e1rm, overview.unit, overview.today),
            **endurance_charts(overview.endurance, overview.today),
            "volume": volume_chart(overview.volume, overview.unit),
            "attendance": attendance_chart(overview.attendance)}


def progress_page(studio: Studio, client: User, page: int, page_url) -> dict:
    """The training page's context (the customer's own or a coach's view of a client), shared
    by the page and its timeline fragment."""
    overview = training_overview(studio, client, utcnow(), page)
    return dict(overview=overview, charts=progress_charts(overview), record_labels=RECORD_LABELS,
                page_url=page_url)
