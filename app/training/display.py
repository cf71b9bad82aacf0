"""How training numbers read in both languages: loads in the studio's unit with Latin digits,
sets as "reps × load", target sets grouped ("3 sets of 8")."""

from decimal import Decimal
from itertools import groupby

from babel import numbers
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.core.i18n import current_language

UNIT_LABELS = {"kg": _l("kg"), "lb": _l("lb")}


PLACES = {0: "#,##0", 1: "#,##0.#", 2: "#,##0.##"}


def format_number(value, places: int = 2) -> str:
    """80.00 → "80", 51.25 → "51.25", 1234 → "1,234" (Latin digits in Arabic too)."""
    return numbers.format_decimal(Decimal(value), format=PLACES[places], locale=current_language())


def unit_label(unit: str) -> str:
    return str(UNIT_LABELS.get(unit, unit))


def format_weight(value, unit: str, places: int = 2) -> str:
    """A load or a volume in the studio's unit: "80 kg" / "80 كغ"; estimates to one place."""
    return _("%(value)s %(unit)s", value=format_number(value, places), unit=unit_label(unit))


def format_duration(seconds: int) -> str:
    """Seconds as a clock: 45 → "0:45", 90 → "1:30", 3725 → "1:02:05" (Latin digits)."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_distance(meters: int) -> str:
    return _("%(num)s m", num=format_number(meters, 0))


def format_pace(seconds_per_km) -> str:
    return _("%(time)s per km", time=format_duration(seconds_per_km))


def format_set(reps: int, load, unit: str, seconds: int | None = None,
               meters: int | None = None) -> str:
    """A set as done or planned: "8 × 80 kg", "12 reps" without load, "1:30" for a hold,
    "400 m", or "5,000 m in 25:00"."""
    if seconds and meters:
        return _("%(distance)s in %(time)s", distance=format_distance(meters),
                 time=format_duration(seconds))
    if seconds:
        return format_duration(seconds)
    if meters:
        return format_distance(meters)
    if not load:
        return ngettext("%(num)s rep", "%(num)s reps", reps)
    return _("%(reps)s × %(load)s", reps=reps, load=format_weight(load, unit))


def group_sets(sets) -> list[tuple[int, int, Decimal | None, object]]:
    """Consecutive target sets that are the same, as (how many, reps, load, one of them)."""
    groups = []
    for _key, run in groupby(sets, key=lambda s: (s.reps, s.load or None, s.seconds, s.meters)):
        run = list(run)
        groups.append((len(run), run[0].reps, run[0].load or None, run[0]))
    return groups


def format_load(load) -> str:
    """A load as typed: 60, 62.5 (never 6E+1 or 60.00)."""
    return "" if load is None else f"{load.normalize():f}"


def init_blueprint(bp) -> None:
    """Template filters of the training pages: weight, set_text, duration, distance, pace,
    set_groups, unit_label, load."""
    bp.add_app_template_filter(format_weight, "weight")
    bp.add_app_template_filter(
        lambda s, unit: format_set(s.reps, s.load, unit, s.seconds, s.meters), "set_text")
    bp.add_app_template_filter(format_duration, "duration")
    bp.add_app_template_filter(format_distance, "distance")
    bp.add_app_template_filter(format_pace, "pace")
    bp.add_app_template_filter(group_sets, "set_groups")
    bp.add_app_template_filter(unit_label, "unit_label")
    bp.add_app_template_filter(format_load, "load")
