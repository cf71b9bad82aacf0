"""Keeping a coach's own calendar in step over CalDAV, and reading their busy times back.

Each event is PUT at `<calendar>/<uid>.ics` and its ETag kept (`PushedEvent`): a new one with
`If-None-Match: *`, a changed one (a higher SEQUENCE) with `If-Match` on the kept ETag, a gone
or cancelled one DELETEd the same way. A 412 means the coach edited our copy in their calendar:
ours is the truth for FitFlow's events, so it is written again unconditionally. Events that are
not ours (no `PushedEvent` for their UID) become the coach's busy times, which 1:1 slots skip.

A failure (the server away, a refused password) is kept on the connection for the coach to see
and the sync is tried again later, each time a little later (`retry_delay`).
"""

import logging
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import quote, urljoin
from zoneinfo import ZoneInfo

import caldav
from caldav.lib.error import DAVError
from flask import current_app
from icalendar import Calendar
from lxml.etree import LxmlError
from sqlalchemy import select

from app.appointments.services import replace_external_busy
from app.calendars import ics
from app.calendars.models import CalendarConnection, PushedEvent, SyncState
from app.calendars.queries import coach_entries
from app.extensions import db

log = logging.getLogger(__name__)

BUSY_AHEAD = timedelta(days=90)
CALENDAR_TYPE = {"Content-Type": "text/calendar; charset=utf-8"}


class SyncFailed(Exception):
    """The calendar server refused or could not be reached."""


# What a server that refuses, is away, or answers nonsense raises: refused or unauthorised
# (DAVError), unreachable or too slow (niquests' errors are OSErrors), an unexpected status
# (SyncFailed), a body that is not XML or iCalendar (LxmlError, ValueError).
SERVER_FAILURES = (DAVError, OSError, SyncFailed, LxmlError, ValueError)


def retry_delay(failures: int) -> timedelta:
    """2, 4, 8 … minutes after each failure in a row, at most an hour."""
    return timedelta(minutes=min(2 ** max(failures, 1), 60))


def client_for(connection: CalendarConnection) -> caldav.DAVClient:
    return caldav.DAVClient(connection.url, username=connection.username,
                            password=connection.password, enable_rfc6764=False,
                            timeout=current_app.config["CALDAV_TIMEOUT"])


def sync(connection: CalendarConnection, now: datetime) -> bool:
    """Push the coach's classes and sessions, read their busy times; True when it worked. A
    failure is kept on the connection (the caller commits it and schedules the retry)."""
    try:
        with client_for(connection) as client:
            push(client, connection, now)
            busy = read_busy(client, connection, now)
    except SERVER_FAILURES as exc:
        _failed(connection, exc)
        return False
    replace_external_busy(connection.user, busy)
    connection.state, connection.last_error, connection.failures = SyncState.OK, "", 0
    connection.synced_at = now
    db.session.flush()
    return True


def _failed(connection: CalendarConnection, exc: Exception) -> None:
    log.warning("calendar sync of connection %s failed: %s", connection.id, exc)
    connection.state = SyncState.FAILING
    connection.last_error = (str(exc) or type(exc).__name__)[:500]
    connection.failures += 1
    db.session.flush()


def _event_url(connection: CalendarConnection, uid: str) -> str:
    return urljoin(connection.url.rstrip("/") + "/", quote(uid, safe="") + ".ics")


def _check(response, *allowed: int) -> None:
    if response.status not in allowed:
        raise SyncFailed(f"HTTP {response.status} {response.reason or ''}".strip())


def push(client, connection: CalendarConnection, now: datetime) -> None:
    """Create, update and delete so the calendar holds exactly the coach's current events."""
    wanted = {e.uid: e for e in coach_entries(connection.user, now) if not e.cancelled}
    pushed = {p.uid: p for p in db.session.scalars(
        select(PushedEvent).where(PushedEvent.connection_id == connection.id))}
    for uid, entry in wanted.items():
        known = pushed.get(uid)
        if known is not None and known.sequence == entry.sequence:
            continue
        body = ics.calendar_of([entry]).decode()
        url = known.href if known else _event_url(connection, uid)
        condition = {"If-Match": known.etag} if known and known.etag else {"If-None-Match": "*"}
        response = client.put(url, body, {**CALENDAR_TYPE, **condition})
        if response.status == 412:  # edited (or made) on their side: FitFlow's copy wins
            response = client.put(url, body, CALENDAR_TYPE)
        _check(response, 200, 201, 204)
        if known is None:
            known = PushedEvent(connection_id=connection.id, uid=uid, href=url)
            db.session.add(known)
        known.etag = response.headers.get("ETag", "") or ""
        known.sequence = entry.sequence
    for uid, known in pushed.items():
        if uid in wanted:
            continue
        response = client.delete(known.href, {"If-Match": known.etag} if known.etag else {})
        if response.status == 412:
            response = client.delete(known.href)
        _check(response, 200, 204, 404)
        db.session.delete(known)
    db.session.flush()


def read_busy(client, connection: CalendarConnection, now: datetime) -> list:
    """The coach's own events from now to BUSY_AHEAD, as UTC intervals (ours left out,
    cancelled and free ones too)."""
    ours = set(db.session.scalars(select(PushedEvent.uid)
                                  .where(PushedEvent.connection_id == connection.id)))
    calendar = client.calendar(url=connection.url)
    zone = ZoneInfo(connection.user.timezone or "UTC")
    busy = []
    for found in calendar.search(start=now, end=now + BUSY_AHEAD, event=True, expand=True):
        for event in Calendar.from_ical(found.data).walk("VEVENT"):
            if (str(event.get("uid")) in ours or str(event.get("status", "")) == "CANCELLED"
                    or str(event.get("transp", "")) == "TRANSPARENT"):
                continue
            start, end = event.decoded("dtstart"), event.decoded("dtend", None)
            interval = _interval(start, end, zone)
            if interval is not None:
                busy.append(interval)
    return sorted(busy)


def _interval(start, end, zone: ZoneInfo):
    def utc(value):
        if isinstance(value, datetime):
            return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(UTC)
        if isinstance(value, date):  # a whole day: the coach's own midnight to midnight
            return datetime.combine(value, time(), zone).astimezone(UTC)
        return None

    starts = utc(start)
    if starts is None:
        return None
    if end is None:
        ends = starts + (timedelta(days=1) if not isinstance(start, datetime) else timedelta())
    else:
        ends = utc(end)
    return (starts, ends) if ends and ends > starts else None
