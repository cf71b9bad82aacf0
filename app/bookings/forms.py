"""Parsing the bookings screens' input."""

from datetime import date, timedelta

# The coach's day goes this far either side of today: enough to look back at a season or plan
# ahead, and no unbounded scans for a typo'd year.
DAY_WINDOW = timedelta(days=366)


def parse_day(value: str | None, today: date) -> date | None:
    """`?day=YYYY-MM-DD` within DAY_WINDOW of `today`; None when absent; ValueError when bad."""
    if value is None or value == "":
        return None
    if len(value) != 10:
        raise ValueError(value)
    day = date.fromisoformat(value)
    if abs(day - today) > DAY_WINDOW:
        raise ValueError(value)
    return day
