"""Class reminders at the hours before a class its studio set (Studio.reminder_hours).

The worker's sweep asks every few minutes which confirmed bookings have a reminder due and
queues them in batches (one job per `BATCH` reminders of the same hours), which the worker
sends in its own process over one SMTP connection each. The dedup key
`reminder:<booking>:<hours>` makes each go out once, however often the sweep runs, a batch is
retried or the worker restarts. A booking made after a reminder's time gets only the later
ones; after a long outage only the latest reminder due is sent, not a pile.
"""
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.bookings.models import Booking, BookingStatus
from app.core.db import utcnow
from app.core.jobs import enqueue_after_commit
from app.core.urls import external_url
from app.extensions import db
from app.notifications.models import Channel, Notification
from app.notifications.services import send_email
from app.notifications.services.sending import held_until
from app.notifications.timing import due_hours
from app.schedule.models import ClassStatus, ScheduledClass
from app.studios.models import REMINDER_MAX_HOURS as MAX_HOURS
from app.studios.models import Studio

SEND = "workers.jobs.notifications.send_class_reminders"
# Reminders per job: enough that RQ's own cost per job is small beside the sending, few
# enough that a batch holds the worker well under a minute and its retry repeats little.
BATCH = 200


def reminder_key(booking_id: int, hours: int) -> str:
    return f"reminder:{booking_id}:{hours}"


def _logged(keys: list[str]) -> set[str]:
    return set(db.session.scalars(select(Notification.dedup_key).where(
        Notification.channel == Channel.EMAIL, Notification.dedup_key.in_(keys))))


def queue_due_reminders(now: datetime | None = None, limit: int = 20000) -> int:
    """Queue the reminders due and not yet sent, in batches; the number of reminders queued."""
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
    done = _logged(list(wanted))
    by_hours: dict[int, list[int]] = {}
    for key, (booking_id, h) in wanted.items():
        if key not in done:
            by_hours.setdefault(h, []).append(booking_id)
    for h, ids in by_hours.items():
        for i in range(0, len(ids), BATCH):
            enqueue_after_commit(SEND, h, *ids[i:i + BATCH], queue="notifications")
    return sum(len(ids) for ids in by_hours.values())


def bookings_to_remind(hours: int, booking_ids: list[int],
                       now: datetime | None = None) -> list[Booking]:
    """The batch's bookings that still want this reminder (confirmed, class ahead, not sent
    yet), with their class, studio and customer loaded in one statement."""
    now = now or utcnow()
    done = _logged([reminder_key(b, hours) for b in booking_ids])
    found = db.session.scalars(
        select(Booking).join(ScheduledClass, ScheduledClass.id == Booking.class_id)
        .where(Booking.id.in_(booking_ids), Booking.status == BookingStatus.CONFIRMED,
               ScheduledClass.starts_at > now)
        .options(joinedload(Booking.scheduled_class).joinedload(ScheduledClass.studio),
                 joinedload(Booking.customer))
        .order_by(Booking.id)).all()
    return [b for b in found if reminder_key(b.id, hours) not in done]


def is_held(booking: Booking, now: datetime) -> bool:
    """Whether the reminder to `booking`'s customer waits for the end of their quiet hours."""
    return held_until(booking.customer, "class_reminder", booking.scheduled_class.studio,
                      now) is not None


def send_class_reminder(booking: Booking, hours: int, now: datetime | None = None) -> bool:
    """Remind a booked customer of their class, once per booking and reminder (deferred to
    the end of their quiet hours when `now` falls inside)."""
    cls = booking.scheduled_class
    return send_email(booking.customer, "class_reminder", now=now or utcnow(),
                      dedup_key=reminder_key(booking.id, hours),
                      fallback_locale=cls.studio.default_language, booking=booking, cls=cls,
                      studio=cls.studio,
                      url=external_url("bookings.class_detail", studio=cls.studio.slug,
                                       class_id=cls.id))
