"""Defining a course: which classes, the rule that completes it, and its certificate's wording."""

from app.audit.services import record
from app.certificates.models import CertificateLanguage, Course
from app.extensions import db

FIELDS = ("name", "class_type_id", "class_ids", "min_sessions", "final_class_id", "title",
          "body", "validity_months", "signatory_name", "signatory_title", "language",
          "auto_issue")


def save_course(studio, course: Course | None = None, *, actor, **fields) -> Course:
    """Create or change a course (the form has checked every field and that the class type and
    classes belong to `studio`). Certificates issued before keep the wording they were given."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown course fields: {sorted(unknown)}")
    if course is None:
        course = Course(studio_id=studio.id, language=CertificateLanguage.HOLDER)
        db.session.add(course)
    for name, value in fields.items():
        setattr(course, name, value)
    db.session.flush()
    record("course.saved", actor=actor, studio_id=studio.id, subject=f"course:{course.id}")
    return course
