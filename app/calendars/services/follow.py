"""Coaches' calendars follow changes as they are committed.

Whatever changes a class or a 1:1 session in a way a calendar shows (the columns in its
`__revised__`: time, place, room, coach, status), or makes or removes one, queues a CalDAV sync
of each coach concerned who has a connected calendar: the coach it has and, when the coach
changed, the one it had. One job per coach per commit, however many rows changed, sent after
the commit (dropped on rollback). Listening to the session's flushes means schedule and
appointments need not know calendars exist; the 10-minute sweep
(`workers.jobs.calendars.sync_calendars`) stays as the safety net for SQL that bypasses the ORM.
"""

from flask import has_app_context
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from app.appointments.models import Appointment
from app.calendars.models import CalendarConnection
from app.calendars.services.connections import SYNC_JOB
from app.core.jobs import enqueue_after_commit
from app.extensions import db
from app.schedule.models import ScheduledClass

WATCHED = (ScheduledClass, Appointment)


def coaches_touched(session: Session) -> set[int]:
    """The coaches whose calendars this flush changes."""
    coaches: set[int] = set()
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, WATCHED):
            coaches.add(obj.coach_id)
    for obj in session.dirty:
        if not isinstance(obj, WATCHED):
            continue
        attrs = inspect(obj).attrs
        if any(attrs[name].history.has_changes() for name in obj.__revised__):
            coaches.add(obj.coach_id)
            coaches.update(attrs.coach_id.history.deleted)
    coaches.discard(None)
    return coaches


def _queue_syncs(session: Session, _flush_context) -> None:
    if not has_app_context() or session is not db.session():
        return  # a session of its own (a script, a concurrency test): not the request's commit
    coaches = coaches_touched(session)
    if not coaches:
        return
    connections = session.scalars(select(CalendarConnection.id)
                                  .where(CalendarConnection.user_id.in_(coaches))
                                  .order_by(CalendarConnection.id)).all()
    for connection_id in connections:
        enqueue_after_commit(SYNC_JOB, connection_id, queue="calendar", once=True)


def install() -> None:
    """Listen to every session's flushes (once per process, however many apps are made)."""
    if not event.contains(Session, "after_flush", _queue_syncs):
        event.listen(Session, "after_flush", _queue_syncs)
