"""The certificates' demo data: at each studio a finished first-aid course (three past
sessions the demo customer attended) with her certificate, valid in Riyadh and expired in
Toronto (that run was over a year ago); and the indoor-cycling instructor qualification, which
the coach holds until six weeks from now (so the console lists it with the rides it would leave
uncovered) and the second coach without an end."""

from datetime import timedelta

from sqlalchemy import select

from app.bookings.models import Booking, BookingStatus
from app.certificates.models import CertificateLanguage, Course
from app.certificates.services.courses import save_course
from app.certificates.services.issuing import add_months, issue_certificate, local_day
from app.certificates.services.qualifications import (
    record_staff_qualification,
    save_qualification,
)
from app.core.db import utcnow
from app.extensions import db
from app.schedule.models import ClassType
from app.schedule.services import create_class, save_class_type
from app.studios.services import ensure_customer

FIRST_AID = {"en": "First aid", "ar": "الإسعافات الأولية"}
COURSE = {
    "name": {"en": "First aid course", "ar": "دورة الإسعافات الأولية"},
    "title": {"en": "First aid certificate", "ar": "شهادة الإسعافات الأولية"},
    "body": {"en": "Three sessions of first aid and CPR for sport settings.",
             "ar": "ثلاث جلسات في الإسعافات الأولية والإنعاش القلبي الرئوي في الأماكن الرياضية."},
}
CYCLING_INSTRUCTOR = {"en": "Indoor cycling instructor", "ar": "مدرب دراجات داخلية"}
CYCLING = "Indoor Cycling"


def seed_certificates(studio, admin, customer, coach, coach2, *, expired: bool) -> None:
    """Once per studio (nothing is added when it has a course already)."""
    if db.session.scalar(select(Course.id).where(Course.studio_id == studio.id).limit(1)):
        return
    _finished_course(studio, admin, customer, expired=expired)
    _qualifications(studio, admin, coach, coach2)


def _finished_course(studio, admin, customer, *, expired: bool) -> None:
    first_aid = save_class_type(studio, name=FIRST_AID, description={}, duration_minutes=90,
                                color="#be123c")
    # The expired run is over a year old: its certificate ran out in the last 30 days.
    days_ago = 390 if expired else 40
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    classes = [create_class(studio, class_type=first_aid, location=studio.default_location,
                            starts_at=now - timedelta(days=days_ago - 7 * i), capacity=12)
               for i in range(3)]
    ensure_customer(studio, customer)
    db.session.add_all(Booking(studio_id=studio.id, class_id=cls.id, customer_id=customer.id,
                               status=BookingStatus.ATTENDED, booked_by_id=customer.id)
                       for cls in classes)
    db.session.flush()
    course = save_course(studio, actor=admin, class_type_id=first_aid.id, min_sessions=3,
                         validity_months=12, signatory_name=admin.name,
                         signatory_title="Studio admin", auto_issue=True,
                         language=(CertificateLanguage.BILINGUAL
                                   if studio.default_language == "ar"
                                   else CertificateLanguage.HOLDER), **COURSE)
    certificate = issue_certificate(studio, course, customer, actor=admin)
    certificate.issued_on = local_day(studio, classes[-1].starts_at)
    certificate.expires_on = add_months(certificate.issued_on, 12)
    db.session.flush()


def _qualifications(studio, admin, coach, coach2) -> None:
    cycling = next((t for t in db.session.scalars(select(ClassType).where(
        ClassType.studio_id == studio.id)) if t.name.get("en") == CYCLING), None)
    kind = save_qualification(studio, actor=admin, name=CYCLING_INSTRUCTOR,
                              class_type_ids=[cycling.id] if cycling else [], course_ids=[])
    today = local_day(studio, utcnow())
    record_staff_qualification(studio, kind, coach, actor=admin, reference="ICI-2024-0117",
                               expires_on=today + timedelta(days=45))
    record_staff_qualification(studio, kind, coach2, actor=admin, reference="ICI-2025-0342",
                               expires_on=None)
