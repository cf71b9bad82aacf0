"""Expiry reminders: 30 days before and on the day, by the studio's local day, each sent once
whatever the job's runs, with a link to book the course's next class; none for a certificate
revoked or already renewed."""

from datetime import timedelta

from app.certificates.services import issuing, reminders
from app.core.db import utcnow
from app.core.mail import read_mailbox
from app.extensions import db
from app.notifications.services.preferences import preferences_for
from tests.certificates.helpers import course_world, customer
from workers.jobs.certificates import queue_expiry_reminders


def certificate_expiring_in(days, **kwargs):
    studio, manager, course, classes = course_world(auto_issue=False, **kwargs)
    holder = customer(name="Layla")
    # No quiet hours: the reminder goes out whatever the hour the suite runs at.
    quiet = preferences_for(holder)
    quiet.quiet_start = quiet.quiet_end = None
    certificate = issuing.issue_certificate(studio, course, holder, actor=manager,
                                            check_rule=False)
    today = issuing.local_day(studio, utcnow())
    certificate.issued_on = today - timedelta(days=300)
    certificate.expires_on = today + timedelta(days=days)
    db.session.commit()
    return studio, manager, certificate, classes


def mails_to(person):
    return [m for m in read_mailbox() if m["To"] == person.email and "expires" in m["Subject"]]


def test_thirty_days_before_and_on_the_day_each_once(app, ctx, jobs, run_jobs):
    _, _, soon, classes = certificate_expiring_in(30)
    _, _, today, _ = certificate_expiring_in(0)
    _, _, later, _ = certificate_expiring_in(45)
    run_jobs()  # the PDFs and their e-mails
    for _ in range(2):  # the scheduled scan runs again: nothing is sent twice
        queue_expiry_reminders()
        run_jobs()
    (mail,) = mails_to(soon.holder)
    assert "expires on" in mail["Subject"]
    body = mail.get_body(("plain",)).get_content()
    assert soon.number in body
    assert f"/classes/{classes[0].id}" in body  # the course's next class
    (mail,) = mails_to(today.holder)
    assert "expires today" in mail["Subject"]
    assert mails_to(later.holder) == []


def test_revoked_or_renewed_certificates_are_not_reminded(app, ctx, run_jobs):
    studio, manager, revoked, _ = certificate_expiring_in(30)
    issuing.revoke(studio, revoked, actor=manager, reason="error")
    studio, manager, renewed, _ = certificate_expiring_in(30)
    issuing.renew(studio, renewed, actor=manager)
    db.session.commit()
    assert {r.certificate_id for r in reminders.due_reminders()} & {revoked.id, renewed.id} \
        == set()


def test_the_day_is_the_studios_own(app, ctx):
    # 23:30 UTC is already tomorrow in Riyadh (UTC+3) but still today in Toronto.
    studio, _manager, certificate, _ = certificate_expiring_in(0)
    studio.default_location.timezone = "Asia/Riyadh"
    db.session.flush()
    now = utcnow().replace(hour=23, minute=30)
    local = issuing.local_day(studio, now)
    certificate.expires_on = local
    db.session.flush()
    assert reminders.reminder_kind(certificate.expires_on, local) == "expired"
    assert reminders.Reminder(certificate.id, "expired") in reminders.due_reminders(now)
    certificate.expires_on = now.date()  # yesterday in Riyadh, a day into the grace
    assert reminders.reminder_kind(certificate.expires_on, local) == "expired"


def test_when_each_reminder_is_due():
    from datetime import date

    expires = date(2027, 3, 31)
    assert reminders.reminder_kind(expires, date(2027, 3, 1)) == "soon"
    assert reminders.reminder_kind(expires, date(2027, 2, 28)) is None
    assert reminders.reminder_kind(expires, date(2027, 3, 31)) == "expired"
    assert reminders.reminder_kind(expires, date(2027, 4, 3)) == "expired"
    assert reminders.reminder_kind(expires, date(2027, 4, 4)) is None
