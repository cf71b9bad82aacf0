"""A course of a class type with past classes, and people checked in to them."""

from app.bookings import attendance, services
from app.certificates.models import CertificateLanguage
from app.certificates.services.courses import save_course
from app.studios.models import Role
from tests.factories import ClassFactory, ClassTypeFactory, StudioFactory, UserFactory, staff


def course_world(*, sessions=3, min_sessions=2, validity_months=12, auto_issue=True,
                 language=CertificateLanguage.HOLDER, studio=None, **course_fields):
    studio = studio or StudioFactory()
    manager = staff(studio, Role.OWNER)
    class_type = ClassTypeFactory(studio=studio,
                                  name={"en": "First aid", "ar": "الإسعافات الأولية"})
    classes = [ClassFactory(studio=studio, class_type_id=class_type.id, hours_ahead=2 + 3 * i)
               for i in range(sessions)]
    fields = dict(name={"en": "First aid course", "ar": "دورة الإسعافات الأولية"},
                  class_type_id=class_type.id, min_sessions=min_sessions,
                  title={"en": "Certificate of completion", "ar": "شهادة إتمام"},
                  body={"en": "Six sessions of first aid.", "ar": "ست جلسات في الإسعافات الأولية."},
                  validity_months=validity_months, signatory_name="Huda Saleh",
                  signatory_title="Head coach", language=language, auto_issue=auto_issue)
    fields.update(course_fields)
    course = save_course(studio, actor=manager, **fields)
    return studio, manager, course, classes


def booked(studio, classes, person, actor=None):
    return [services.book_class(studio, cls, person, actor=actor or person, staff=True)
            for cls in classes]


def check_in_all(studio, bookings, actor):
    for booking in bookings:
        attendance.check_in(studio, booking, actor=actor)


def customer(**kwargs):
    return UserFactory(**kwargs)

