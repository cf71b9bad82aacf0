"""Parsing and checking what coaches type: titles, plan sizes, reps, rest and loads (in any
script's digits: an Arabic keyboard types ٣ and ٫), and a logged set's values. Each parser
returns a typed value for the services or raises the error the form shows."""

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from app.training.errors import (
    BadDistance,
    BadSetValues,
    BadTime,
    InvalidLoad,
    InvalidPlanSize,
    InvalidReps,
    InvalidRest,
    TitleRequired,
    TitleTooLong,
)
from app.training.models import (
    LOAD_MAX,
    METERS_MAX,
    REPS_MAX,
    REST_MAX,
    SECONDS_MAX,
    TITLE_MAX,
    Measure,
)

WEEKS_MAX, DAYS_MAX = 52, 7
POSITION_MAX = 99
_WHOLE = re.compile(r"\s*(\d{1,7})\s*")
_DECIMAL = re.compile(r"\s*(\d{1,7})(?:[.,\u066b](\d{1,7}))?\s*")  # U+066B: Arabic decimal sign


def _digits(value: str) -> str:
    """Any script's decimal digits (an Arabic keyboard types ٣) as ASCII digits."""
    return "".join(str(unicodedata.decimal(c)) for c in value)


def _whole(value, low: int, high: int) -> int | None:
    match = _WHOLE.fullmatch(str(value if value is not None else ""))
    number = int(_digits(match[1])) if match else None
    return number if number is not None and low <= number <= high else None


def parse_reps(value) -> int:
    """Target reps: a whole number from 1 to REPS_MAX."""
    reps = _whole(value, 1, REPS_MAX)
    if reps is None:
        raise InvalidReps(max=REPS_MAX)
    return reps


def parse_rest(value) -> int:
    """Rest between sets in seconds, 0 to REST_MAX."""
    rest = _whole(value, 0, REST_MAX)
    if rest is None:
        raise InvalidRest(max=REST_MAX)
    return rest


def parse_load(value, unit: str) -> Decimal | None:
    """A load in the studio's unit, 0 to LOAD_MAX with at most two decimals; empty is no load."""
    if isinstance(value, Decimal | int):
        value = str(value)
    if value is None or not str(value).strip():
        return None
    match = _DECIMAL.fullmatch(str(value))
    if match and len(match[2] or "") <= 2:
        load = Decimal(f"{_digits(match[1])}.{_digits(match[2] or '0')}")
        if load <= LOAD_MAX:
            return load
    raise InvalidLoad(max=LOAD_MAX, unit=unit)


def parse_title(value, *, required: bool) -> str:
    """A title with its spaces collapsed; at most TITLE_MAX characters."""
    title = " ".join((value or "").split())
    if required and not title:
        raise TitleRequired()
    if len(title) > TITLE_MAX:
        raise TitleTooLong(max=TITLE_MAX)
    return title


def parse_plan_size(weeks, days_per_week) -> tuple[int, int]:
    """A plan's weeks (1 to WEEKS_MAX) and training days a week (1 to DAYS_MAX)."""
    weeks_n, days_n = _whole(weeks, 1, WEEKS_MAX), _whole(days_per_week, 1, DAYS_MAX)
    if weeks_n is None or days_n is None:
        raise InvalidPlanSize(weeks=WEEKS_MAX, days=DAYS_MAX)
    return weeks_n, days_n


def parse_set_values(reps, load) -> tuple[int, Decimal]:
    """Reps and load as typed on the tablet; anything out of range is refused."""
    try:
        reps_ = int(str(reps).strip())
        load_ = Decimal(str(load).strip().replace(",", ".") or "0")
    except (ValueError, InvalidOperation):
        raise BadSetValues(reps=REPS_MAX, load=LOAD_MAX) from None
    if not (1 <= reps_ <= REPS_MAX) or not load_.is_finite() or not (0 <= load_ <= LOAD_MAX) \
            or load_ != load_.quantize(Decimal("0.01")):
        raise BadSetValues(reps=REPS_MAX, load=LOAD_MAX)
    return reps_, load_.quantize(Decimal("0.01"))


def parse_seconds(value) -> int:
    """A time as seconds ("45"), minutes:seconds ("1:30") or h:mm:ss; 1 s to SECONDS_MAX."""
    parts = _digits_in(value).strip().split(":")
    if 1 <= len(parts) <= 3 and all(p.isascii() and p.isdigit() and len(p) <= 5 for p in parts):
        numbers = [int(p) for p in parts]
        if all(n < 60 for n in numbers[1:]):
            total = 0
            for n in numbers:
                total = total * 60 + n
            if 1 <= total <= SECONDS_MAX:
                return total
    raise BadTime(hours=SECONDS_MAX // 3600)


def parse_meters(value) -> int:
    """A distance in whole meters, 1 to METERS_MAX."""
    meters = _whole(_digits_in(value), 1, METERS_MAX)
    if meters is None:
        raise BadDistance(max=METERS_MAX)
    return meters


def _digits_in(value) -> str:
    """Any script's digits in `value` as ASCII, other characters kept."""
    return "".join(str(unicodedata.decimal(c)) if unicodedata.decimal(c, None) is not None else c
                   for c in str(value if value is not None else ""))


@dataclass(frozen=True)
class SetValues:
    reps: int = 0
    load: Decimal | None = Decimal(0)
    seconds: int | None = None
    meters: int | None = None


def parse_set(form, measure: Measure) -> SetValues:
    """A logged set's values as its exercise measures them (the others are left empty)."""
    if measure.counts_reps:
        reps, load = parse_set_values(form.get("reps", ""),
                                      form.get("load", "") if measure == Measure.REPS_LOAD else "")
        return SetValues(reps=reps, load=load)
    return SetValues(seconds=parse_seconds(form.get("seconds")) if measure.timed else None,
                     meters=parse_meters(form.get("meters")) if measure.has_distance else None)


def parse_target(form, measure: Measure, unit: str) -> SetValues:
    """A plan's target set as its exercise measures it."""
    if measure.counts_reps:
        load = parse_load(form.get("load"), unit) if measure == Measure.REPS_LOAD else None
        return SetValues(reps=parse_reps(form.get("reps")), load=load)
    seconds = parse_seconds(form.get("seconds")) if measure.timed else None
    meters = parse_meters(form.get("meters")) if measure.has_distance else None
    return SetValues(load=None, seconds=seconds, meters=meters)


def parse_position(value) -> int:
    """A set's place in its exercise (0 to POSITION_MAX); anything else is the first."""
    try:
        return max(0, min(int(value), POSITION_MAX))
    except (TypeError, ValueError):
        return 0
