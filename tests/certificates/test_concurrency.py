"""Issuing under real concurrent transactions: the check-in job run twice at once issues one
certificate, and staff issuing at once get consecutive numbers with no twin. The negative
control takes the sequence lock away and lets both transactions look before either writes:
then the second insert breaks the unique index."""

import threading
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.bookings.models import Booking, BookingStatus
from app.certificates.models import Certificate, CertificateSequence, Course
from app.certificates.services import issuing
from app.extensions import db
from app.studios.models import Studio
from tests.certificates.helpers import course_world, customer
from tests.concurrency import run_at_once
from tests.factories import StudioFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("concurrency")]


def completed_course(app, people=1):
    """A committed course (one session) and `people` who attended it."""
    with app.app_context():
        studio = StudioFactory(slug=f"cert-{uuid.uuid4().hex[:8]}")
        _studio, manager, course, classes = course_world(studio=studio, sessions=1,
                                                         min_sessions=1)
        holders = [customer() for _ in range(people)]
        bookings = [Booking(studio_id=studio.id, class_id=classes[0].id, customer_id=h.id,
                            status=BookingStatus.ATTENDED, booked_by_id=h.id) for h in holders]
        db.session.add_all(bookings)
        db.session.commit()
        return (studio.id, course.id, manager.id, [b.id for b in bookings],
                [h.id for h in holders])


def certificates(app, course_id):
    with app.app_context():
        rows = db.session.execute(select(Certificate.holder_id, Certificate.number)
                                  .where(Certificate.course_id == course_id)).all()
        db.engine.dispose()
        return rows


def auto_issue(booking_id):
    return len(issuing.auto_issue(db.session.get(Booking, booking_id)))


def test_the_job_run_twice_at_once_issues_one_certificate(app):
    _studio, course_id, _manager, (booking_id,), _holders = completed_course(app)
    results, errors = run_at_once(app, auto_issue, [(booking_id,), (booking_id,)])
    assert errors == [] and sorted(results) == [0, 1]
    assert len(certificates(app, course_id)) == 1


def test_staff_issuing_at_once_get_consecutive_numbers(app):
    studio_id, course_id, manager_id, _bookings, holders = completed_course(app, people=6)

    def issue(holder_id):
        return issuing.issue_certificate(
            db.session.get(Studio, studio_id), db.session.get(Course, course_id),
            db.session.get(User, holder_id), actor=db.session.get(User, manager_id)).number

    results, errors = run_at_once(app, issue, [(h,) for h in holders])
    assert errors == []
    assert sorted(n[-5:] for n in results) == ["00001", "00002", "00003", "00004", "00005",
                                              "00006"]
    assert len(certificates(app, course_id)) == 6


def test_negative_control_without_the_lock_both_look_then_both_write(app, monkeypatch):
    studio_id, course_id, _manager, (booking_id,), _holders = completed_course(app)
    with app.app_context():  # the studio's sequence exists (else its insert would queue them)
        db.session.add(CertificateSequence(studio_id=studio_id, next_value=1))
        db.session.commit()
    both_looked = threading.Barrier(2)
    looked = issuing.first_certificate

    def unlocked(studio):  # the sequence read without FOR UPDATE
        return db.session.get(CertificateSequence, studio.id)

    def look_together(course, holder):
        found = looked(course, holder)
        both_looked.wait(timeout=30)
        return found

    monkeypatch.setattr(issuing, "_lock_numbers", unlocked)
    monkeypatch.setattr(issuing, "first_certificate", look_together)
    results, errors = run_at_once(app, auto_issue, [(booking_id,), (booking_id,)])
    assert results == [1] and len(errors) == 1 and isinstance(errors[0], IntegrityError)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate)
                                 .where(Certificate.course_id == course_id)) == 1
        db.engine.dispose()
