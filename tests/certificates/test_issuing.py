"""Certificates are issued by the job a completing check-in queues (once, however often it
runs), by staff one by one or for a roster; revoked with a reason; reissued and renewed as new
numbers linked to the old."""

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from app.audit.models import AuditEvent
from app.certificates.errors import AlreadyCertified, AlreadyReplaced, NotCompleted
from app.certificates.models import Certificate
from app.certificates.services import issuing
from app.core.mail import read_mailbox
from app.extensions import db
from tests.certificates.helpers import booked, check_in_all, course_world, customer


def certificates_of(person):
    db.session.expire_all()
    return db.session.scalars(select(Certificate).where(Certificate.holder_id == person.id)
                              .options(undefer(Certificate.pdf)).order_by(Certificate.id)).all()


def test_the_check_in_that_completes_the_rule_issues_renders_and_emails(app, ctx, jobs,
                                                                         run_jobs):
    studio, manager, course, classes = course_world(sessions=3, min_sessions=2)
    person = customer(name="Layla Haddad", locale="en")
    bookings = booked(studio, classes, person)
    db.session.commit()
    jobs.clear()

    check_in_all(studio, bookings[:1], manager)
    db.session.commit()
    run_jobs()
    assert certificates_of(person) == []  # one session of two: not yet

    check_in_all(studio, bookings[1:2], manager)
    db.session.commit()
    assert [j[0] for j in jobs] == ["workers.jobs.certificates.issue_after_check_in"]
    run_jobs()
    (certificate,) = certificates_of(person)
    today = issuing.local_day(studio, certificate.created_at)
    assert certificate.holder_name == "Layla Haddad"
    assert certificate.number == f"CERT-{today.year}-00001"
    assert certificate.issued_on == today
    assert certificate.expires_on == issuing.add_months(today, 12)
    assert certificate.pdf.startswith(b"%PDF")
    (mail,) = [m for m in read_mailbox() if m["To"] == person.email
               and certificate.number in m["Subject"]]
    assert [p.get_filename() for p in mail.iter_attachments()] == [f"{certificate.number}.pdf"]

    # The third check-in, and the job run twice, issue nothing more.
    check_in_all(studio, bookings[2:], manager)
    db.session.commit()
    run_jobs()
    from workers.jobs.certificates import issue_after_check_in

    assert issue_after_check_in(bookings[1].id) == 0
    assert len(certificates_of(person)) == 1


def test_a_check_in_outside_any_auto_course_queues_nothing(app, ctx, jobs):
    studio, manager, course, classes = course_world(auto_issue=False)
    person = customer()
    bookings = booked(studio, classes, person)
    db.session.commit()
    jobs.clear()
    check_in_all(studio, bookings, manager)
    db.session.commit()
    assert jobs == []


def test_attending_the_named_class_completes_the_course(app, ctx, run_jobs):
    studio, manager, course, classes = course_world(sessions=3)
    course.min_sessions, course.final_class_id = None, classes[2].id
    person = customer()
    bookings = booked(studio, classes, person)
    check_in_all(studio, bookings[:2], manager)
    db.session.commit()
    run_jobs()
    assert certificates_of(person) == []
    check_in_all(studio, bookings[2:], manager)
    db.session.commit()
    run_jobs()
    assert len(certificates_of(person)) == 1


def test_staff_issue_one_by_one_only_on_completion_unless_waived(app, ctx):
    studio, manager, course, classes = course_world(auto_issue=False)
    person = customer(name="Omar")
    with pytest.raises(NotCompleted, match="Omar has not completed"):
        issuing.issue_certificate(studio, course, person, actor=manager)
    certificate = issuing.issue_certificate(studio, course, person, actor=manager,
                                            check_rule=False)
    assert certificate.issued_by_id == manager.id
    with pytest.raises(AlreadyCertified):
        issuing.issue_certificate(studio, course, person, actor=manager, check_rule=False)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "certificate.issued", AuditEvent.actor_id == manager.id)) == 1


def test_a_roster_issue_covers_everyone_who_completed_and_nobody_twice(app, ctx):
    studio, manager, course, classes = course_world(auto_issue=False, min_sessions=2)
    done = [customer(name=f"Done {i}") for i in range(3)]
    halfway = customer(name="Halfway")
    for person in done:
        check_in_all(studio, booked(studio, classes[:2], person), manager)
    check_in_all(studio, booked(studio, classes[:1], halfway), manager)
    issuing.issue_certificate(studio, course, done[0], actor=manager)

    issued = issuing.issue_roster(studio, course, actor=manager)
    assert sorted(c.holder_name for c in issued) == ["Done 1", "Done 2"]
    assert issuing.issue_roster(studio, course, actor=manager) == []
    numbers = db.session.scalars(select(Certificate.number).where(
        Certificate.studio_id == studio.id)).all()
    assert len(set(numbers)) == 3


def test_numbers_are_per_studio(app, ctx):
    a, a_manager, a_course, _ = course_world(auto_issue=False)
    b, b_manager, b_course, _ = course_world(auto_issue=False)
    first_a = issuing.issue_certificate(a, a_course, customer(), actor=a_manager,
                                        check_rule=False)
    first_b = issuing.issue_certificate(b, b_course, customer(), actor=b_manager,
                                        check_rule=False)
    second_a = issuing.issue_certificate(a, a_course, customer(), actor=a_manager,
                                         check_rule=False)
    assert first_a.number.endswith("-00001") and first_b.number.endswith("-00001")
    assert second_a.number.endswith("-00002")
    assert len({first_a.code, first_b.code, second_a.code}) == 3


def test_revoke_reissue_and_renew(app, ctx):
    studio, manager, course, classes = course_world(auto_issue=False)
    person = customer(name="Sara")
    first = issuing.issue_certificate(studio, course, person, actor=manager, check_rule=False)
    first.issued_on, first.expires_on = date(2025, 1, 31), date(2026, 1, 31)

    person.name = "Sara Al-Amin"  # the misspelt name corrected, then reissued
    again = issuing.reissue(studio, first, actor=manager)
    assert again.replaces_id == first.id and again.number != first.number
    assert (again.issued_on, again.expires_on) == (date(2025, 1, 31), date(2026, 1, 31))
    assert again.holder_name == "Sara Al-Amin"
    assert first.revoked_at is not None and again.number in first.revoked_reason
    with pytest.raises(AlreadyReplaced):
        issuing.reissue(studio, first, actor=manager)

    renewed = issuing.renew(studio, again, actor=manager)
    assert renewed.replaces_id == again.id and renewed.renewal
    assert renewed.issued_on == issuing.local_day(studio, renewed.created_at)
    assert again.revoked_at is None  # the renewed one keeps its own dates

    issuing.revoke(studio, renewed, actor=manager, reason="Fraud")
    assert renewed.status(date.today()) == "revoked"
    assert db.session.scalar(select(AuditEvent.data).where(
        AuditEvent.action == "certificate.revoked",
        AuditEvent.subject == f"certificate:{renewed.id}"))["reason"] == "Fraud"


def test_months_are_added_within_the_month():
    assert issuing.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert issuing.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert issuing.add_months(date(2026, 11, 15), 14) == date(2028, 1, 15)
