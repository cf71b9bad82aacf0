"""Connecting, re-syncing and disconnecting a coach's own CalDAV calendar."""

from sqlalchemy import delete

from app.appointments.services import replace_external_busy
from app.audit.services import record
from app.calendars.models import CalendarConnection, PushedEvent, SyncState
from app.calendars.queries import connection_of
from app.core.jobs import enqueue_after_commit
from app.extensions import db

SYNC_JOB = "workers.jobs.calendars.sync_calendar"


def connect(user, *, url: str, username: str, password: str, actor) -> CalendarConnection:
    """Connect (or point elsewhere) the person's calendar, and push everything to it. A new
    address starts afresh: nothing is known to be there yet."""
    connection = connection_of(user)
    if connection is None:
        connection = CalendarConnection(user_id=user.id, url=url)
        db.session.add(connection)
    elif connection.url != url:
        db.session.execute(delete(PushedEvent).where(PushedEvent.connection_id == connection.id))
    connection.url, connection.username, connection.password = url, username, password
    db.session.flush()
    record("calendar.connected", actor=actor, studio_id=None, subject=f"user:{user.id}",
           url=url)
    return request_sync(connection)


def request_sync(connection: CalendarConnection) -> CalendarConnection:
    """Sync as soon as a worker is free."""
    connection.state, connection.last_error, connection.failures = SyncState.PENDING, "", 0
    db.session.flush()
    enqueue_after_commit(SYNC_JOB, connection.id, queue="calendar")
    return connection


def disconnect(connection: CalendarConnection, *, actor) -> None:
    """Forget the calendar and the busy times read from it (its events stay there: they are
    the coach's now)."""
    user = connection.user
    db.session.delete(connection)
    replace_external_busy(user, [])
    db.session.flush()
    record("calendar.disconnected", actor=actor, studio_id=None, subject=f"user:{user.id}")
