"""Entries as iCalendar (RFC 5545), built with `icalendar`.

Times are written in each class's own zone with a VTIMEZONE for every zone used, so a
calendar shows 07:00 Toronto time as the studio meant it, on both sides of a clock change.
Nothing depends on when the feed is rendered (DTSTAMP is the entry's last change): the same
calendar is the same bytes, which is what its ETag is made of.
"""

from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

PRODID = "-//FitFlow//Calendars//EN"


@lru_cache(maxsize=64)
def _timezone(tzid: str, first_year: int, last_year: int) -> bytes:
    return Timezone.from_tzid(tzid, first_date=date(first_year, 1, 1),
                              last_date=date(last_year, 12, 31)).to_ical()


def event_of(entry) -> Event:
    zone = ZoneInfo(entry.timezone)
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", entry.stamp)
    event.add("last-modified", entry.stamp)
    event.add("sequence", entry.sequence)
    event.add("dtstart", entry.starts_at.astimezone(zone))
    event.add("dtend", entry.ends_at.astimezone(zone))
    event.add("summary", entry.summary)
    if entry.location:
        event.add("location", entry.location)
    event.add("url", entry.url)
    event.add("status", entry.status)
    if entry.cancelled:
        event.add("transp", "TRANSPARENT")  # a cancelled class leaves the time free
    return event


def calendar_of(entries: Iterable, name: str | None = None) -> bytes:
    """A VCALENDAR of `entries`, each zone used described once."""
    entries = list(entries)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", name)
    body = b"".join(event_of(e).to_ical() for e in entries)
    zones = b""
    if entries:
        first = min(e.starts_at for e in entries).year - 1
        last = max(e.ends_at for e in entries).year + 1
        zones = b"".join(_timezone(tz, first, last) for tz in sorted({e.timezone
                                                                      for e in entries}))
    head, _sep, tail = calendar.to_ical().rpartition(b"END:VCALENDAR")
    return head + zones + body + b"END:VCALENDAR\r\n" + tail
