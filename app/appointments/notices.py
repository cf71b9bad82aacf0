"""Messages about 1:1 sessions: booked, moved, cancelled and reminded, each to the customer
and to the coach (each in their own language), once per session, role and moment.

Use cases call `announce` after flushing a change; the job runs after commit and re-checks the
session still is what the message says. The worker's sweep queues reminders at the hours the
studio set for classes (Studio.reminder_hours); their dedup key carries the session's start, so
a moved session is reminded again at its new time and never twice at one time.
"""
from datetime import datetime, timedelta

from sqlalchemy import select

from app.appointments.models import Appointment, AppointmentStatus
from app.core.db import utcnow
from app.core.jobs import enqueue_after_commit
from app.extensions import db
from app.notifications.models import Channel, Notification
from app.notifications.timing import due_hours
from app.studios.models import REMINDER_MAX_HOURS, Studio

SESSION_JOB = "workers.jobs.messages.send_session_notice"
ROLES = ("customer", "coach")


def stamp(appointment: Appointment) -> str:
    """The session's start as a key part: a message about one time is not one about another."""
    return f"{appointment.starts_at:%Y%m%d%H%M}"


def notice_key(template: str, appointment: Appointment, role: str, hours: int | None = None) -> str:
    extra = f":{hours}" if hours is not None else ""
    return f"{template}:{appointment.id}:{stamp(appointment)}{extra}:{role}"


def announce(appointment: Appointment, template: str) -> None:
    """Queue the message about this change for after commit (dropped on rollback)."""
    enqueue_after_commit(SESSION_JOB, appointment.id, template, stamp(appointment), None,
                         queue="notifications")


def still_true(appointment: Appointment, template: str, when: str, now: datetime) -> bool:
    """The session is still what the message says (a cancel after a booking's job was queued
    stops the "booked" message, a second move stops the first one's)."""
    if template == "session_cancelled":
        return appointment.status in (AppointmentStatus.CANCELLED,
                                      AppointmentStatus.LATE_CANCELLED)
    if appointment.status != AppointmentStatus.BOOKED or stamp(appointment) != when:
        return False
    return template != "session_reminder" or appointment.starts_at > now


def due_reminders(now: datetime | None = None, limit: int = 20000) -> list[tuple[int, str, int]]:
    """(appointment id, its stamp, hours) of each session reminder due now and not yet sent."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Appointment, Studio.reminder_hours)
        .join(Studio, Studio.id == Appointment.studio_id)
        .where(Appointment.status == AppointmentStatus.BOOKED, Appointment.starts_at > now,
               Appointment.starts_at <= now + timedelta(hours=REMINDER_MAX_HOURS))
        .order_by(Appointment.starts_at).limit(limit)).all()
    wanted = {}
    for appointment, hours in rows:
        h = due_hours(list(hours or []), appointment.starts_at, appointment.created_at, now)
        if h is not None:
            wanted[notice_key("session_reminder", appointment, "customer", h)] = (
                appointment.id, stamp(appointment), h)
    if not wanted:
        return []
    sent = set(db.session.scalars(select(Notification.dedup_key).where(
        Notification.channel == Channel.EMAIL, Notification.dedup_key.in_(list(wanted)))))
    return [w for key, w in wanted.items() if key not in sent]


def queue_due_reminders(now: datetime | None = None) -> int:
    """Queue a job for each session reminder due; the number queued."""
    due = due_reminders(now)
    for appointment_id, when, hours in due:
        enqueue_after_commit(SESSION_JOB, appointment_id, "session_reminder", when, hours,
                             queue="notifications")
    return len(due)
