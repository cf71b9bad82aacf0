"""What every report shares: a table (the page shows it, the CSV streams it), a chart spec for
Chart.js, and the period expressed as local days of each location."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from babel import numbers

from app.core.db import local_day
from app.core.i18n import format_money

# Column kinds: how a cell shows on the page and how it is written to the CSV.
TEXT, COUNT, PERCENT, MONEY = "text", "count", "percent", "money"
# A customer: the cell is (customer id, name); the page links to their record, the CSV has the name.
CUSTOMER = "customer"


@dataclass
class Table:
    name: str  # the report's name: its anchor on the page and its CSV's name
    columns: list[tuple[str, str]]  # (label, kind)
    rows: list[list] = field(default_factory=list)  # a MONEY cell is (minor, currency)

    def csv_rows(self):
        """The header, then each row as the CSV cells: money as a plain decimal amount in the
        currency's precision, a rate as a percentage with one decimal."""
        yield [label for label, _kind in self.columns]
        for row in self.rows:
            yield [csv_cell(value, kind) for value, (_label, kind) in zip(row, self.columns,
                                                                          strict=True)]

    def shown(self):
        """Each row as the page's cells."""
        for row in self.rows:
            yield [shown_cell(value, kind) for value, (_label, kind) in zip(row, self.columns,
                                                                            strict=True)]


def decimal_amount(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-numbers.get_currency_precision(currency))


def csv_cell(value, kind: str):
    if value is None:
        return ""
    if kind == MONEY:
        minor, currency = value
        return f"{decimal_amount(minor, currency)}"
    if kind == PERCENT:
        return f"{value * 100:.1f}"
    if kind == CUSTOMER:
        return value[1]
    return value


def shown_cell(value, kind: str) -> str:
    if value is None:
        return "–"
    if kind == MONEY:
        return format_money(*value)
    if kind == PERCENT:
        return numbers.format_percent(value, "#,##0.0%", locale=_locale())
    if kind == CUSTOMER:
        return value
    return str(value)


def _locale() -> str:
    from app.core.i18n import current_language
    return current_language()


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def bar_chart(labels: list[str], datasets: list[tuple[str, list]], *, percent=False) -> dict:
    """What static/js/reports.js hands to Chart.js: a bar chart of one or more series."""
    return {"labels": labels, "percent": percent,
            "datasets": [{"label": label, "data": data} for label, data in datasets]}


def local_period(instant, zone, filters):
    """Conditions: `instant` falls on a local day of the period. The UTC bounds (a day wider
    on each side, enough for any zone) let the index on the instant narrow the scan first."""
    lo = datetime.combine(filters.start - timedelta(days=1), time.min, tzinfo=UTC)
    hi = datetime.combine(filters.end + timedelta(days=2), time.min, tzinfo=UTC)
    day = local_day(instant, zone)
    return [instant >= lo, instant < hi, day >= filters.start, day <= filters.end]
