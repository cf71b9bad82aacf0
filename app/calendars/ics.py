"""Entries as iCalendar (RFC 5545).

Times are written in each class's own zone with a VTIMEZONE for every zone used (built by
`icalendar` from the zone database), so a calendar shows 07:00 Toronto time as the studio meant
it, on both sides of a clock change. Nothing depends on when the feed is rendered (DTSTAMP is
the entry's last change): the same calendar is the same bytes, which is what its ETag is made of.

The events themselves are written here, a few fixed properties each, escaped and folded as
RFC 5545 says: `icalendar`'s general writer costs about 1.5 ms an event, which made a year of
bookings twenty times slower than the week page (tests parse every feed with `icalendar`).
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone

PRODID = "-//FitFlow//Calendars//EN"
CRLF = "\r\n"
_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n", "\r": ""})


@lru_cache(maxsize=64)
def _timezone(tzid: str, first_year: int, last_year: int) -> str:
    return Timezone.from_tzid(tzid, first_date=date(first_year, 1, 1),
                              last_date=date(last_year, 12, 31)).to_ical().decode()


def text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and newline escaped."""
    return value.translate(_TEXT_ESCAPES)


def fold(line: str) -> str:
    """A content line folded at 75 octets, never inside a UTF-8 character."""
    if len(line) <= 75 and line.isascii():
        return line
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # a continuation byte
            end -= 1
        parts.append(data[start:end].decode())
        start, limit = end, 74  # a continuation line starts with one space
    return (CRLF + " ").join(parts)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(value: datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y%m%dT%H%M%S")


@lru_cache(maxsize=20_000)
def event_text(entry) -> str:
    """One event, folded, CRLF-ended. Kept per process: an `Entry` holds everything the event
    shows, so a calendar app polling an unchanged feed costs no writing (never stale)."""
    return "".join(fold(line) + CRLF for line in event_lines(entry))


def event_lines(entry) -> list[str]:
    zone = ZoneInfo(entry.timezone)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{text(entry.uid)}",
        f"DTSTAMP:{_utc(entry.stamp)}",
        f"LAST-MODIFIED:{_utc(entry.stamp)}",
        f"SEQUENCE:{int(entry.sequence)}",
        f"DTSTART;TZID={entry.timezone}:{_local(entry.starts_at, zone)}",
        f"DTEND;TZID={entry.timezone}:{_local(entry.ends_at, zone)}",
        f"SUMMARY:{text(entry.summary)}",
    ]
    if entry.location:
        lines.append(f"LOCATION:{text(entry.location)}")
    lines += [f"URL:{entry.url}", f"STATUS:{entry.status}"]
    if entry.cancelled:
        lines.append("TRANSP:TRANSPARENT")  # a cancelled class leaves the time free
    lines.append("END:VEVENT")
    return lines


def calendar_of(entries: Iterable, name: str | None = None) -> bytes:
    """A VCALENDAR of `entries`, each zone used described once."""
    entries = list(entries)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if name:
        lines.append(f"X-WR-CALNAME:{text(name)}")
    out = CRLF.join(lines) + CRLF
    if entries:
        first = min(e.starts_at for e in entries).year - 1
        last = max(e.ends_at for e in entries).year + 1
        out += "".join(_timezone(tz, first, last) for tz in sorted({e.timezone
                                                                   for e in entries}))
        out += "".join(event_text(e) for e in entries)
    return (out + "END:VCALENDAR" + CRLF).encode()
