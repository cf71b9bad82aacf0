from datetime import timedelta

from sqlalchemy import select

from app.calendars.models import CalendarConnection
from app.calendars.services.connections import SYNC_JOB
from app.calendars.services.sync import retry_delay, sync
from app.core.db import utcnow
from app.core.jobs import enqueue_after_commit
from app.core.queues import get_queue
from app.extensions import db
from workers.jobs import job

EVERY = timedelta(minutes=10)
JOB_ID = "sync-calendars"


@job
def sync_calendar(connection_id: int) -> bool:
    """Sync one coach's calendar; after a failure (kept on the connection for the coach to
    see) try again a little later. Gone (disconnected) → nothing to do."""
    connection = db.session.get(CalendarConnection, connection_id)
    if connection is None:
        return False
    now = utcnow()
    worked = sync(connection, now)
    if not worked:
        enqueue_after_commit(SYNC_JOB, connection.id, queue="calendar",
                             at=now + retry_delay(connection.failures))
    return worked


@job
def sync_calendars() -> int:
    """Queue a sync of every connected calendar (every EVERY, by the scheduler): changes to
    classes and sessions reach the coaches' calendars, and their busy times come back."""
    ids = db.session.scalars(select(CalendarConnection.id).order_by(CalendarConnection.id)).all()
    for connection_id in ids:
        enqueue_after_commit(SYNC_JOB, connection_id, queue="calendar")
    return len(ids)


def schedule_syncs() -> None:
    get_queue("calendar").enqueue_in(EVERY, "workers.jobs.calendars.run_and_reschedule",
                                     job_id=JOB_ID)


def run_and_reschedule() -> int:
    try:
        return sync_calendars()
    finally:
        schedule_syncs()
