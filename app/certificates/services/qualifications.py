"""Staff qualifications: their kinds, the one a class type requires, recording a staff member's
(with the scan the studio saw and its expiry) or withdrawing it; a valid certificate of a
course that grants a kind counts as holding it. `missing_qualification` is the check the
schedule's services ask (installed by the factory) before a coach is given a class."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, or_, select

from app.accounts.models import User
from app.audit.services import record
from app.certificates.models import (
    Certificate,
    ClassTypeRequirement,
    Course,
    Qualification,
    StaffQualification,
)
from app.core.db import utcnow
from app.core.i18n import translated
from app.extensions import db
from app.schedule.models import ClassStatus, ScheduledClass


def save_qualification(studio, qualification: Qualification | None = None, *, actor,
                       name: dict, class_type_ids: list[int], course_ids: list[int]
                       ) -> Qualification:
    """Create or change a kind: the class types that require it (each class type requires one
    kind at most: choosing it here moves it from another) and the courses that grant it."""
    if qualification is None:
        qualification = Qualification(studio_id=studio.id)
        db.session.add(qualification)
    qualification.name = name
    db.session.flush()
    db.session.execute(delete(ClassTypeRequirement).where(or_(
        ClassTypeRequirement.qualification_id == qualification.id,
        ClassTypeRequirement.class_type_id.in_(class_type_ids))))
    db.session.add_all(ClassTypeRequirement(class_type_id=ct, qualification_id=qualification.id)
                       for ct in class_type_ids)
    for course in db.session.scalars(select(Course).where(Course.studio_id == studio.id)):
        if course.id in course_ids:
            course.qualification_id = qualification.id
        elif course.qualification_id == qualification.id:
            course.qualification_id = None
    db.session.flush()
    record("qualification.saved", actor=actor, studio_id=studio.id,
           subject=f"qualification:{qualification.id}", class_types=class_type_ids)
    return qualification


def record_staff_qualification(studio, qualification: Qualification, person, *, actor,
                               expires_on: date | None, reference: str = "",
                               scan: tuple[bytes, str] | None = None) -> StaffQualification:
    held = StaffQualification(studio_id=studio.id, qualification_id=qualification.id,
                              user_id=person.id, expires_on=expires_on, reference=reference,
                              scan=scan[0] if scan else None, scan_type=scan[1] if scan else "",
                              recorded_by_id=actor.id)
    db.session.add(held)
    db.session.flush()
    record("qualification.recorded", actor=actor, studio_id=studio.id,
           subject=f"staff_qualification:{held.id}", user_id=person.id,
           qualification_id=qualification.id,
           expires_on=expires_on.isoformat() if expires_on else None)
    return held


def withdraw_staff_qualification(studio, held: StaffQualification, *, actor,
                                 now: datetime | None = None) -> StaffQualification:
    if held.withdrawn_at is None:
        held.withdrawn_at = now or utcnow()
        db.session.flush()
        record("qualification.withdrawn", actor=actor, studio_id=studio.id,
               subject=f"staff_qualification:{held.id}", user_id=held.user_id)
    return held


def _valid_on(expires, day: date):
    return or_(expires.is_(None), expires >= day)


def holds(person_id: int, qualification_id: int, day: date) -> bool:
    """Whether the person holds the kind, valid on `day`: recorded, or by a course's
    certificate (neither withdrawn nor revoked)."""
    recorded = select(StaffQualification.id).where(
        StaffQualification.user_id == person_id,
        StaffQualification.qualification_id == qualification_id,
        StaffQualification.withdrawn_at.is_(None),
        _valid_on(StaffQualification.expires_on, day))
    certified = select(Certificate.id).join(Course, Course.id == Certificate.course_id).where(
        Certificate.holder_id == person_id, Course.qualification_id == qualification_id,
        Certificate.revoked_at.is_(None), _valid_on(Certificate.expires_on, day))
    return db.session.scalar(select(recorded.exists() | certified.exists()))


def missing_qualification(studio, class_type_id: int, coach_id: int, day: date) -> str | None:
    """The name of the qualification `class_type_id` requires and the coach lacks on `day`."""
    requirement = db.session.get(ClassTypeRequirement, class_type_id)
    if requirement is None or holds(coach_id, requirement.qualification_id, day):
        return None
    return translated(requirement.qualification.name, studio.default_language)


AFFECTED_SHOWN = 50  # classes listed per expiring qualification


@dataclass
class Expiring:
    """A staff member's qualification running out soon, and the classes it would leave
    without a qualified coach."""

    person: object
    qualification: Qualification
    expires_on: date
    source: str  # "recorded" or a certificate's number
    classes: list = field(default_factory=list)


def expiring(studio, today: date, days: int = 60) -> list[Expiring]:
    """Qualifications whose last validity (the longest of a person's holdings of a kind) ends
    within `days` of `today`, with the person's classes after that which require it."""
    horizon = today + timedelta(days=days)
    longest: dict[tuple[int, int], tuple[date | None, str]] = {}
    recorded = db.session.execute(select(
        StaffQualification.user_id, StaffQualification.qualification_id,
        StaffQualification.expires_on).where(
        StaffQualification.studio_id == studio.id, StaffQualification.withdrawn_at.is_(None),
        _valid_on(StaffQualification.expires_on, today))).all()
    certified = db.session.execute(select(
        Certificate.holder_id, Course.qualification_id, Certificate.expires_on,
        Certificate.number).join(Course, Course.id == Certificate.course_id).where(
        Course.studio_id == studio.id, Course.qualification_id.is_not(None),
        Certificate.revoked_at.is_(None), _valid_on(Certificate.expires_on, today))).all()
    for user_id, kind, expires, *number in [*recorded, *certified]:
        key, source = (user_id, kind), number[0] if number else "recorded"
        known = longest.get(key)
        if known is None or (known[0] is not None and (expires is None or expires > known[0])):
            longest[key] = (expires, source)
    soon = {k: v for k, v in longest.items() if v[0] is not None and v[0] <= horizon}
    if not soon:
        return []
    people = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_({k[0] for k in soon})))}
    kinds = {q.id: q for q in db.session.scalars(
        select(Qualification).where(Qualification.id.in_({k[1] for k in soon})))}
    required = {}
    for req in db.session.scalars(select(ClassTypeRequirement).where(
            ClassTypeRequirement.qualification_id.in_(kinds))):
        required.setdefault(req.qualification_id, []).append(req.class_type_id)
    rows = []
    for (user_id, kind), (expires, source) in sorted(soon.items(), key=lambda i: i[1][0]):
        classes = []
        if required.get(kind):
            # From the studio's midnight after the last valid day (and not already over).
            after = max(utcnow(), datetime.combine(expires + timedelta(days=1), time(),
                                                   ZoneInfo(studio.timezone)))
            classes = list(db.session.scalars(select(ScheduledClass).where(
                ScheduledClass.studio_id == studio.id, ScheduledClass.coach_id == user_id,
                ScheduledClass.class_type_id.in_(required[kind]),
                ScheduledClass.status == ClassStatus.SCHEDULED,
                ScheduledClass.starts_at >= after)
                .order_by(ScheduledClass.starts_at).limit(AFFECTED_SHOWN)))
        rows.append(Expiring(people[user_id], kinds[kind], expires, source, classes))
    return rows
