"""Class reminders at the hours before a class its studio set (Studio.reminder_hours).

The worker's sweep asks every few minutes which confirmed bookings have a reminder due and
queues one job each; the dedup key `reminder:<booking>:<hours>` makes each go out once, however
often the sweep runs or the worker restarts. A booking made after a reminder's time gets only
the later ones; after a long outage only the latest reminder due is sent, not a pile.
"""
from datetime import datetime, timedelta

from sqlalchemy import select

from app.bookings.models import Booking, BookingStatus
from app.core.db import utcnow
from app.core.jobs import enqueue_after_commit
from app.extensions import db
from app.notifications.models import Channel, Notification
from app.notifications.timing import due_hours
from app.schedule.models import ClassStatus, ScheduledClass
from app.studios.models import REMINDER_MAX_HOURS as MAX_HOURS
from app.studios.models import Studio


def reminder_key(booking_id: int, hours: int) -> str:
    return f"reminder:{booking_id}:{hours}"


def queue_due_reminders(now: datetime | None = None, limit: int = 20000) -> int:
    """Queue a job for each reminder due and not yet sent; the number queued."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Booking.id, Booking.created_at, ScheduledClass.starts_at, Studio.reminder_hours)
        .join(ScheduledClass, ScheduledClass.id == Booking.class_id)
        .join(Studio, Studio.id == Booking.studio_id)
        .where(Booking.status == BookingStatus.CONFIRMED,
               ScheduledClass.status == ClassStatus.SCHEDULED,
               ScheduledClass.starts_at > now,
               ScheduledClass.starts_at <= now + timedelta(hours=MAX_HOURS))
        .order_by(ScheduledClass.starts_at).limit(limit)).all()
    wanted = {}
    for booking_id, booked_at, starts_at, hours in rows:
        h = due_hours(list(hours or []), starts_at, booked_at, now)
        if h is not None:
            wanted[reminder_key(booking_id, h)] = (booking_id, h)
    if not wanted:
        return 0
    done = set(db.session.scalars(select(Notification.dedup_key).where(
        Notification.channel == Channel.EMAIL, Notification.dedup_key.in_(list(wanted)))))
    queued = 0
    for key, (booking_id, h) in wanted.items():
        if key not in done:
            enqueue_after_commit("workers.jobs.notifications.send_class_reminder", booking_id, h,
                                 queue="notifications")
            queued += 1
    return queued
