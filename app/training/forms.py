"""Parsing and checking what coaches type: titles, plan sizes, reps, rest and loads (in any
script's digits: an Arabic keyboard types ٣ and ٫), and a logged set's values. Each parser
returns a typed value for the services or raises the error the form shows."""

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from app.training.errors import (
    BadSetValues,
    InvalidLoad,
    InvalidPlanSize,
    InvalidReps,
    InvalidRest,
    TitleRequired,
    TitleTooLong,
)
from app.training.models import LOAD_MAX, REPS_MAX, REST_MAX, TITLE_MAX

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


def parse_position(value) -> int:
    """A set's place in its exercise (0 to POSITION_MAX); anything else is the first."""
    try:
        return max(0, min(int(value), POSITION_MAX))
    except (TypeError, ValueError):
        return 0
