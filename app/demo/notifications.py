"""The notifications' demo data: the demo customer's choices (SMS reminders to a verified
number, quiet hours 22:00-07:00) and a delivery log each studio's desk can read on her page."""

from datetime import time, timedelta

from sqlalchemy import select

from app.core.db import utcnow
from app.extensions import db
from app.notifications.models import Notification, NotificationPreference, Status
from app.notifications.services.preferences import preferences_for
from app.studios.models import Studio

# (template, category, channel, subject, status, attempts, last error, hours ago)
LOG = (
    ("booking_confirmed", "transactional", "email", "You are booked", Status.SENT, 1, "", 50),
    ("class_reminder", "reminders", "email", "Reminder: Strength at 7:00 AM", Status.SENT, 1,
     "", 26),
    ("class_reminder", "reminders", "sms", "Reminder: Strength at 7:00 AM", Status.SENT, 1, "",
     2),
    ("booking_confirmed", "transactional", "email", "You are booked", Status.FAILED, 5,
     "SMTP 451 4.3.0 Mailbox busy, try again later", 30),
    ("class_reminder", "reminders", "email", "Reminder: Yoga at 8:00 AM", Status.DEFERRED, 0,
     "", 0),
)


def seed_notifications(studio: Studio, customer) -> None:
    """Her preferences (once) and this studio's log of messages to her (once)."""
    prefs = db.session.get(NotificationPreference, customer.id)
    if prefs is None:
        prefs = preferences_for(customer)
        prefs.choices = {**prefs.choices, "reminders": ["email", "sms"]}
        prefs.quiet_start, prefs.quiet_end = time(22, 0), time(7, 0)
        prefs.phone, prefs.phone_verified_at = "+966501234567", utcnow()
    if db.session.scalar(select(Notification.id).where(
            Notification.studio_id == studio.id, Notification.user_id == customer.id).limit(1)):
        return
    now = utcnow()
    for n, (template, category, channel, subject, status, attempts, error, ago) in \
            enumerate(LOG):
        at = now - timedelta(hours=ago)
        due = now + timedelta(hours=8) if status == Status.DEFERRED else at
        db.session.add(Notification(
            user_id=customer.id, studio_id=studio.id, channel=channel, category=category,
            template=template, subject=subject, status=status, attempts=attempts,
            last_error=error, address=prefs.phone if channel == "sms" else customer.email or "",
            dedup_key=f"demo:{studio.id}:{customer.id}:{n}", created_at=at, due_at=due,
            sent_at=at if status == Status.SENT else None,
            # The deferred one really goes out when her quiet hours end (the dev mailbox).
            payload={"subject": subject, "text": subject + "\n", "html": f"<p>{subject}</p>"}
            if status == Status.DEFERRED else None))
    db.session.flush()
