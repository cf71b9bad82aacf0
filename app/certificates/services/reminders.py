"""Expiry reminders: 30 days before a certificate expires and on the day, each sent once (its
dedup key), with a link to book the course's next class. A certificate that was renewed,
reissued or revoked is not reminded of."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.certificates.models import Certificate, Course
from app.certificates.services.issuing import course_classes, local_day
from app.core.db import utcnow
from app.core.urls import external_url
from app.extensions import db
from app.schedule.models import ClassStatus, ScheduledClass
from app.studios.models import Studio

AHEAD_DAYS = 30
# A reminder missed while workers were down still goes out this many days late.
GRACE_DAYS = 3


@dataclass(frozen=True)
class Reminder:
    certificate_id: int
    kind: str  # "soon" (30 days before) or "expired" (on the day)

    @property
    def dedup_key(self) -> str:
        return f"certificate-expiry:{self.certificate_id}:{self.kind}"


def reminder_kind(expires_on: date, today: date) -> str | None:
    """Which reminder is due on `today` (the studio's local day), if any."""
    if expires_on <= today <= expires_on + timedelta(days=GRACE_DAYS):
        return "expired"
    soon = expires_on - timedelta(days=AHEAD_DAYS)
    if soon <= today <= soon + timedelta(days=GRACE_DAYS) and today < expires_on:
        return "soon"
    return None


def due_reminders(now: datetime | None = None) -> list[Reminder]:
    """The reminders due now, across studios, each by its studio's local day."""
    now = now or utcnow()
    first = (now - timedelta(days=GRACE_DAYS + 1)).date()
    last = (now + timedelta(days=AHEAD_DAYS + 1)).date()
    replaced = select(Certificate.replaces_id).where(Certificate.replaces_id.is_not(None))
    rows = db.session.execute(
        select(Certificate.id, Certificate.expires_on, Studio)
        .join(Studio, Studio.id == Certificate.studio_id)
        .where(Certificate.expires_on.between(first, last), Certificate.revoked_at.is_(None),
               Certificate.id.not_in(replaced))).all()
    today: dict[int, date] = {}
    due = []
    for certificate_id, expires_on, studio in rows:
        if studio.id not in today:
            today[studio.id] = local_day(studio, now)
        kind = reminder_kind(expires_on, today[studio.id])
        if kind:
            due.append(Reminder(certificate_id, kind))
    return due


def next_run_url(certificate: Certificate, now: datetime | None = None) -> str:
    """Where to book the course again: its next class, else the studio's week."""
    course: Course = certificate.course
    cls = db.session.scalar(
        select(ScheduledClass).where(ScheduledClass.studio_id == course.studio_id,
                                     course_classes(course),
                                     ScheduledClass.status == ClassStatus.SCHEDULED,
                                     ScheduledClass.starts_at > (now or utcnow()))
        .order_by(ScheduledClass.starts_at).limit(1))
    studio = db.session.get(Studio, certificate.studio_id)
    if cls is not None:
        return external_url("bookings.class_detail", studio=studio.slug, class_id=cls.id)
    return external_url("bookings.week", studio=studio.slug)


def still_due(certificate: Certificate, kind: str, now: datetime | None = None) -> bool:
    """Re-checked by the sending job: nothing was revoked, renewed or changed meanwhile."""
    if certificate.revoked_at is not None or certificate.expires_on is None:
        return False
    if db.session.scalar(select(Certificate.id).where(Certificate.replaces_id
                                                      == certificate.id)):
        return False
    studio = db.session.get(Studio, certificate.studio_id)
    return reminder_kind(certificate.expires_on, local_day(studio, now or utcnow())) == kind
