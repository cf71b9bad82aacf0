"""Issuing certificates: automatically when a check-in completes a course, by staff one by one
or for a whole roster; revoking, reissuing (a new number for the same achievement) and renewing
(a new certificate after the holder did the course again). Each issue takes the studio's next
number under the row lock of its sequence, which also serialises two issues for one person."""

import calendar
import secrets
from datetime import date, datetime

from sqlalchemy import func, select

from app.audit.services import record
from app.bookings.models import Booking, BookingStatus
from app.certificates.errors import (
    AlreadyCertified,
    AlreadyReplaced,
    AlreadyRevoked,
    NotCompleted,
    NotRenewable,
)
from app.certificates.models import Certificate, CertificateLanguage, CertificateSequence, Course
from app.core.db import dialect_insert, utcnow
from app.core.i18n import translated
from app.core.jobs import enqueue_after_commit
from app.extensions import db
from app.schedule.models import ScheduledClass

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed
CODE_LENGTH = 8


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def add_months(day: date, months: int) -> date:
    """`day` moved `months` on, the day clipped to the month's length (31 Jan + 1 → 28/29 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def local_day(studio, now: datetime) -> date:
    from zoneinfo import ZoneInfo

    return now.astimezone(ZoneInfo(studio.timezone)).date()


def course_classes(course: Course):
    """The condition on ScheduledClass of the classes that count towards `course`."""
    if course.class_ids:
        return ScheduledClass.id.in_(course.class_ids)
    return ScheduledClass.class_type_id == course.class_type_id


def attended(course: Course, holder_ids) -> dict[int, int]:
    """How many of the course's classes each person attended (one statement)."""
    rows = db.session.execute(
        select(Booking.customer_id, func.count())
        .join(ScheduledClass, ScheduledClass.id == Booking.class_id)
        .where(ScheduledClass.studio_id == course.studio_id, course_classes(course),
               Booking.status == BookingStatus.ATTENDED, Booking.customer_id.in_(holder_ids))
        .group_by(Booking.customer_id))
    return dict(rows.all())


def has_completed(course: Course, holder) -> bool:
    if course.final_class_id is not None:
        return db.session.scalar(select(func.count()).select_from(Booking).where(
            Booking.class_id == course.final_class_id, Booking.customer_id == holder.id,
            Booking.status == BookingStatus.ATTENDED)) > 0
    return attended(course, [holder.id]).get(holder.id, 0) >= course.min_sessions


def _lock_numbers(studio) -> CertificateSequence:
    """The studio's sequence row, locked to the end of the transaction."""
    db.session.execute(dialect_insert(CertificateSequence)
                       .values(studio_id=studio.id, next_value=1)
                       .on_conflict_do_nothing(index_elements=["studio_id"]))
    return db.session.scalar(select(CertificateSequence)
                             .where(CertificateSequence.studio_id == studio.id)
                             .with_for_update().execution_options(populate_existing=True))


def _take_number(studio, sequence: CertificateSequence, issued_on: date) -> str:
    value = sequence.next_value
    sequence.next_value = value + 1
    return f"CERT-{issued_on.year}-{value:05d}"


def first_certificate(course: Course, holder) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(
        Certificate.course_id == course.id, Certificate.holder_id == holder.id,
        Certificate.replaces_id.is_(None)))


def _locale(course: Course, holder, studio) -> str:
    if course.language == CertificateLanguage.BILINGUAL:
        return "ar+en"
    language = holder.locale or studio.default_language
    return language if language in ("ar", "en") else "en"


def _snapshot(studio, course: Course, languages: list[str]) -> dict:
    """The course's wording in the certificate's languages, frozen as issued."""
    def cut(value):
        return {lang: translated(value, studio.default_language, lang) for lang in languages}

    return {"studio": {"name": cut(studio.name)}, "course": {"name": cut(course.name)},
            "title": cut(course.title or course.name), "body": cut(course.body),
            "signatory": {"name": course.signatory_name, "title": course.signatory_title},
            "timezone": studio.timezone}


def _issue(studio, course: Course, holder, *, actor, now: datetime, replaces=None,
           renewal=False, issued_on: date | None = None) -> Certificate:
    sequence = _lock_numbers(studio)
    issued_on = issued_on or local_day(studio, now)
    locale = _locale(course, holder, studio)
    certificate = Certificate(
        studio_id=studio.id, course_id=course.id, holder_id=holder.id,
        holder_name=holder.name, number=_take_number(studio, sequence, issued_on),
        code=new_code(), issued_on=issued_on,
        expires_on=(add_months(issued_on, course.validity_months)
                    if course.validity_months else None),
        locale=locale, snapshot=_snapshot(studio, course, locale.split("+")),
        issued_by_id=actor.id if actor else None,
        replaces_id=replaces.id if replaces else None, renewal=renewal)
    db.session.add(certificate)
    db.session.flush()
    record("certificate.issued", actor=actor, studio_id=studio.id,
           subject=f"certificate:{certificate.id}", number=certificate.number,
           holder_id=holder.id, course_id=course.id,
           replaces=replaces.number if replaces else None, renewal=renewal)
    enqueue_after_commit("workers.jobs.certificates.render_certificate_pdf", certificate.id,
                         queue="documents")
    return certificate


def issue_certificate(studio, course: Course, holder, *, actor, now: datetime | None = None,
                      check_rule: bool = True) -> Certificate:
    """Staff issue `holder` their certificate (the rule checked unless staff say otherwise)."""
    now = now or utcnow()
    if check_rule and not has_completed(course, holder):
        raise NotCompleted(name=holder.name)
    _lock_numbers(studio)
    if first_certificate(course, holder) is not None:
        raise AlreadyCertified(name=holder.name)
    return _issue(studio, course, holder, actor=actor, now=now)


def completed_without_certificate(course: Course) -> list:
    """Everyone who completed the course and has no certificate for it yet."""
    from app.accounts.models import User

    have = select(Certificate.holder_id).where(Certificate.course_id == course.id)
    if course.final_class_id is not None:
        query = select(User).join(Booking, Booking.customer_id == User.id).where(
            Booking.class_id == course.final_class_id, Booking.status == BookingStatus.ATTENDED)
    else:
        counted = (select(Booking.customer_id)
                   .join(ScheduledClass, ScheduledClass.id == Booking.class_id)
                   .where(ScheduledClass.studio_id == course.studio_id, course_classes(course),
                          Booking.status == BookingStatus.ATTENDED)
                   .group_by(Booking.customer_id)
                   .having(func.count() >= course.min_sessions))
        query = select(User).where(User.id.in_(counted))
    return list(db.session.scalars(query.where(User.id.not_in(have)).order_by(User.name,
                                                                                User.id)))


def issue_roster(studio, course: Course, *, actor, now: datetime | None = None) -> list:
    """Certificates for everyone who completed the course and has none yet."""
    now = now or utcnow()
    _lock_numbers(studio)
    return [_issue(studio, course, holder, actor=actor, now=now)
            for holder in completed_without_certificate(course)]


def courses_covering(cls) -> list[Course]:
    """The studio's auto-issuing courses that `cls` counts towards."""
    courses = db.session.scalars(select(Course).where(
        Course.studio_id == cls.studio_id, Course.auto_issue)).all()  # a studio has a few
    return [c for c in courses if c.covers(cls) or c.final_class_id == cls.id]


def after_check_in(booking: Booking) -> None:
    """The check-in hook (installed by the factory): a check-in in a class that counts towards
    an auto-issuing course queues the job that issues what it completes."""
    if courses_covering(booking.scheduled_class):
        enqueue_after_commit("workers.jobs.certificates.issue_after_check_in", booking.id,
                             queue="documents")


def auto_issue(booking: Booking, *, now: datetime | None = None) -> list[Certificate]:
    """After a check-in: the certificates it completes (none twice; safe to run again)."""
    if booking.status != BookingStatus.ATTENDED:
        return []
    cls, holder = booking.scheduled_class, booking.customer
    studio = cls.studio
    issued = []
    for course in courses_covering(cls):
        if not has_completed(course, holder):
            continue
        _lock_numbers(studio)
        if first_certificate(course, holder) is None:
            issued.append(_issue(studio, course, holder, actor=None, now=now or utcnow()))
    return issued


def revoke(studio, certificate: Certificate, *, actor, reason: str,
           now: datetime | None = None) -> Certificate:
    """Withdraw a certificate: its check page says "revoked" from now on."""
    if certificate.revoked_at is not None:
        raise AlreadyRevoked()
    certificate.revoked_at = now or utcnow()
    certificate.revoked_reason = reason
    db.session.flush()
    record("certificate.revoked", actor=actor, studio_id=studio.id,
           subject=f"certificate:{certificate.id}", number=certificate.number, reason=reason)
    return certificate


def _replace(studio, certificate: Certificate, *, actor, now, renewal: bool) -> Certificate:
    _lock_numbers(studio)
    if db.session.scalar(select(func.count()).select_from(Certificate)
                         .where(Certificate.replaces_id == certificate.id)):
        raise AlreadyReplaced()
    return _issue(studio, certificate.course, certificate.holder, actor=actor, now=now,
                  replaces=certificate, renewal=renewal,
                  issued_on=None if renewal else certificate.issued_on)


def reissue(studio, certificate: Certificate, *, actor, now: datetime | None = None
            ) -> Certificate:
    """A new number for the same achievement (a misspelt name corrected, a lost paper): the
    old one is revoked, the new one keeps its dates and points at it."""
    now = now or utcnow()
    new = _replace(studio, certificate, actor=actor, now=now, renewal=False)
    new.expires_on = certificate.expires_on
    if certificate.revoked_at is None:
        revoke(studio, certificate, actor=actor, now=now,
               reason=f"reissued as {new.number}")
    db.session.flush()
    return new


def renew(studio, certificate: Certificate, *, actor, now: datetime | None = None
          ) -> Certificate:
    """A new certificate, dated today, for a holder who did the course again; the renewed one
    keeps its own dates."""
    if certificate.expires_on is None:
        raise NotRenewable()
    if certificate.revoked_at is not None:
        raise AlreadyRevoked()
    return _replace(studio, certificate, actor=actor, now=now or utcnow(), renewal=True)


def replaced_by(certificate: Certificate) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.replaces_id == certificate.id))
