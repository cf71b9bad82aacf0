"""Loaders (scoped to a studio or to the holder: anything else is a 404) and read helpers."""

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, undefer

from app.accounts.models import User
from app.bookings.models import Booking, BookingStatus
from app.certificates.models import (
    Certificate,
    ClassTypeRequirement,
    Course,
    Qualification,
    StaffQualification,
)
from app.certificates.services.issuing import (
    CODE_ALPHABET,
    CODE_LENGTH,
    attended,
    course_classes,
)
from app.core.db import get_in_studio_or_404, utcnow
from app.core.i18n import translated
from app.extensions import db
from app.schedule.models import ClassStatus, ScheduledClass

# Classes offered for a course: from a season back to half a year ahead, at most this many.
CLASS_WINDOW_BACK, CLASS_WINDOW_AHEAD, CLASS_CHOICES = 90, 180, 300


def list_courses(studio) -> list[Course]:
    return list(db.session.scalars(select(Course).where(Course.studio_id == studio.id)
                                   .order_by(Course.id)))


def course_sessions(studio, course: Course, now, *, limit: int) -> list[ScheduledClass]:
    """The course's classes yet to start and not cancelled (up to its final class), at most
    `limit`, in id order: the order a group booked on the whole course locks them in."""
    query = select(ScheduledClass).where(
        ScheduledClass.studio_id == studio.id, ScheduledClass.starts_at > now,
        ScheduledClass.status != ClassStatus.CANCELLED)
    if course.class_ids:
        query = query.where(ScheduledClass.id.in_([int(i) for i in course.class_ids]))
    else:
        query = query.where(ScheduledClass.class_type_id == course.class_type_id)
        if course.final_class_id:
            last = select(ScheduledClass.starts_at).where(
                ScheduledClass.id == course.final_class_id).scalar_subquery()
            query = query.where(ScheduledClass.starts_at <= last)
    return list(db.session.scalars(query.order_by(ScheduledClass.id).limit(limit)))


def courses_of_class(studio, cls) -> list[Course]:
    """The studio's courses `cls` is a session of."""
    return [course for course in list_courses(studio) if course.covers(cls)]


def get_course_or_404(studio, course_id: int) -> Course:
    return get_in_studio_or_404(Course, studio, course_id)


def get_certificate_or_404(studio, certificate_id: int, *, with_pdf=False) -> Certificate:
    query = select(Certificate).where(Certificate.id == certificate_id,
                                      Certificate.studio_id == studio.id)
    certificate = db.session.scalar(query.options(undefer(Certificate.pdf)) if with_pdf
                                    else query)
    if certificate is None:
        abort(404)
    return certificate


def class_choices(studio) -> list[tuple[int, str]]:
    """(id, "name · local date time") of the studio's classes a course may be made of."""
    now = utcnow()
    classes = db.session.scalars(
        select(ScheduledClass).where(
            ScheduledClass.studio_id == studio.id,
            ScheduledClass.starts_at >= now - timedelta(days=CLASS_WINDOW_BACK),
            ScheduledClass.starts_at <= now + timedelta(days=CLASS_WINDOW_AHEAD))
        .order_by(ScheduledClass.starts_at).limit(CLASS_CHOICES))
    return [(c.id, f"{translated(c.class_type.name, studio.default_language)} · "
                   f"{c.starts_at.astimezone(ZoneInfo(c.timezone)):%Y-%m-%d %H:%M}")
            for c in classes]


@dataclass
class RosterRow:
    person: User
    attended: int
    completed: bool
    certificates: list


def course_roster(course: Course) -> list[RosterRow]:
    """Everyone who attended one of the course's classes, how many, and their certificates."""

    people = db.session.scalars(
        select(User).where(User.id.in_(
            select(Booking.customer_id).join(ScheduledClass, ScheduledClass.id == Booking.class_id)
            .where(ScheduledClass.studio_id == course.studio_id, course_classes(course)
                   | (ScheduledClass.id == (course.final_class_id or -1)),
                   Booking.status == BookingStatus.ATTENDED)))
        .order_by(User.name, User.id)).all()
    counts = attended(course, [p.id for p in people]) if people else {}
    finals = set()
    if course.final_class_id:
        finals = set(db.session.scalars(select(Booking.customer_id).where(
            Booking.class_id == course.final_class_id, Booking.status == BookingStatus.ATTENDED)))
    held: dict[int, list] = {}
    for certificate in list_course_certificates(course):
        held.setdefault(certificate.holder_id, []).append(certificate)
    return [RosterRow(p, counts.get(p.id, 0),
                      p.id in finals if course.final_class_id
                      else counts.get(p.id, 0) >= course.min_sessions,
                      held.get(p.id, [])) for p in people]


def list_course_certificates(course: Course) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.course_id == course.id)
                                   .order_by(Certificate.id)))


def certificate_counts(studio) -> dict[int, int]:
    return dict(db.session.execute(
        select(Certificate.course_id, func.count()).where(Certificate.studio_id == studio.id)
        .group_by(Certificate.course_id)).all())


def normalize_code(code: str) -> str | None:
    """A typed or scanned code (any case, with or without its dash), or None if it cannot be one."""
    code = code.replace("-", "").replace(" ", "").upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def get_by_code_or_404(code: str) -> Certificate:
    normal = normalize_code(code)
    certificate = normal and db.session.scalar(
        select(Certificate).where(Certificate.code == normal)
        .options(joinedload(Certificate.course)))
    if not certificate:
        abort(404)
    return certificate


def list_my_certificates(user) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.holder_id == user.id)
                                   .order_by(Certificate.issued_on.desc(),
                                             Certificate.id.desc())))


def get_own_certificate_or_404(user, certificate_id: int) -> Certificate:
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.id == certificate_id,
                                  Certificate.holder_id == user.id)
        .options(undefer(Certificate.pdf)))
    if certificate is None:
        abort(404)
    return certificate


def list_qualifications(studio) -> list[Qualification]:
    return list(db.session.scalars(select(Qualification)
                                   .where(Qualification.studio_id == studio.id)
                                   .order_by(Qualification.id)))


def get_qualification_or_404(studio, qualification_id: int) -> Qualification:
    return get_in_studio_or_404(Qualification, studio, qualification_id)


def requirements(studio) -> dict[int, list[int]]:
    """Qualification id → the ids of the class types that require it."""
    rows = db.session.execute(
        select(ClassTypeRequirement.qualification_id, ClassTypeRequirement.class_type_id)
        .join(Qualification, Qualification.id == ClassTypeRequirement.qualification_id)
        .where(Qualification.studio_id == studio.id)).all()
    found: dict[int, list[int]] = {}
    for kind, class_type_id in rows:
        found.setdefault(kind, []).append(class_type_id)
    return found


def list_staff_qualifications(studio) -> list[StaffQualification]:
    return list(db.session.scalars(
        select(StaffQualification).where(StaffQualification.studio_id == studio.id,
                                         StaffQualification.withdrawn_at.is_(None))
        .options(joinedload(StaffQualification.user),
                 joinedload(StaffQualification.qualification))
        .order_by(StaffQualification.expires_on.nulls_last(), StaffQualification.id)))


def get_staff_qualification_or_404(studio, held_id: int, *, with_scan=False
                                   ) -> StaffQualification:
    query = select(StaffQualification).where(StaffQualification.id == held_id,
                                             StaffQualification.studio_id == studio.id)
    held = db.session.scalar(query.options(undefer(StaffQualification.scan)) if with_scan
                             else query)
    if held is None:
        abort(404)
    return held
