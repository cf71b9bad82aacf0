"""Quiet hours: when, in the recipient's own zone, a deferrable message may go out."""
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def quiet_until(now: datetime, tz: str | None, start: time | None,
                end: time | None) -> datetime | None:
    """The end of the quiet hours `now` falls in (aware UTC), or None outside them.

    The hours are wall-clock times in `tz` and may run past midnight (22:00–08:00); equal or
    missing bounds mean no quiet hours. The end is the next wall-clock `end` after `now`, so a
    change of clocks inside the night still ends it at `end` local time."""
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(zone(tz))
    clock = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= clock < end
    else:
        inside = clock >= start or clock < end
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    wake = datetime.combine(day, end, tzinfo=zone(tz))
    return wake.astimezone(UTC)
