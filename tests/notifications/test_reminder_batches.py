"""Class reminders go in batches: one job per batch, sent over one SMTP connection, each
message logged as it goes, so a failing message is retried alone and a batch that dies midway
resumes with only the unsent (real SMTP on 127.0.0.1, fixed clocks)."""

from datetime import UTC, datetime, timedelta

import pytest
from rq.timeouts import JobTimeoutException
from sqlalchemy import select

import app.bookings.reminders as reminders
from app.bookings import services
from app.core import mail
from app.extensions import db
from app.notifications.models import Notification, Status
from tests.factories import ClassFactory, StudioFactory, UserFactory
from workers.jobs.notifications import send_class_reminders

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # noon UTC; 01:00 the next day in Auckland
SEND = "workers.jobs.notifications.send_class_reminders"
DELIVER = "workers.jobs.notifications.deliver"


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(reminders, "utcnow", lambda: NOW)
    monkeypatch.setattr("app.notifications.services.sending.utcnow", lambda: NOW)
    monkeypatch.setattr("app.core.db.utcnow", lambda: NOW)


def booked(count: int, zones=("UTC",)) -> list:
    """`count` people booked (a day ago) into a class two hours ahead whose studio reminds
    three hours before: each has a reminder due now."""
    studio = StudioFactory(reminder_hours=[3])
    start = NOW + timedelta(hours=2)
    cls = ClassFactory(studio=studio, starts_at=start, ends_at=start + timedelta(hours=1),
                       capacity=count)
    bookings = []
    for n in range(count):
        user = UserFactory(timezone=zones[n % len(zones)])
        booking = services.book_class(studio, cls, user, actor=user, now=NOW)
        booking.created_at = NOW - timedelta(days=1)
        bookings.append(booking)
    db.session.commit()
    return bookings


def reminder_rows(bookings) -> dict:
    keys = {reminders.reminder_key(b.id, 3): b for b in bookings}
    rows = db.session.scalars(select(Notification).where(Notification.dedup_key.in_(keys)))
    return {keys[r.dedup_key].customer.email: r for r in rows}


def test_the_sweep_queues_batches_and_a_batch_of_n_sends_n_over_one_connection(
        app, ctx, clock, jobs, mail_server, monkeypatch):
    bookings = booked(5, zones=("UTC", "Pacific/Auckland"))
    ours = {b.id for b in bookings}
    jobs.clear()
    monkeypatch.setattr(reminders, "BATCH", 2)
    reminders.queue_due_reminders()
    db.session.commit()
    # Every studio's due reminders are queued; ours are each in exactly one batch of <= 2.
    batches = [a for f, a, q, _at in jobs if f == SEND and q == "notifications"]
    assert all(len(a) - 1 <= 2 and a[0] == 3 for a in batches)
    assert sorted(i for a in batches for i in a[1:] if i in ours) == sorted(ours)

    jobs.clear()
    assert send_class_reminders(3, *sorted(ours)) == 5
    rows = reminder_rows(bookings)
    day = [b.customer.email for b in bookings if b.customer.timezone == "UTC"]
    night = [b.customer.email for b in bookings if b.customer.timezone != "UTC"]
    assert {e: len(mail_server.to(e)) for e in day + night} == \
        {**{e: 1 for e in day}, **{e: 0 for e in night}}
    assert len(set(mail_server.peers)) == 1  # three messages, one SMTP connection
    assert all(rows[e].status == Status.SENT for e in day)
    # The night ones wait for 08:00 in Auckland (19:00 UTC), each with its delivery job.
    wake = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)
    assert [(rows[e].status, rows[e].due_at) for e in night] == [(Status.DEFERRED, wake)] * 2
    assert sorted(a[0] for f, a, _q, at in jobs if f == DELIVER and at == wake) == \
        sorted(rows[e].id for e in night)
    # The same batch again (a retry, a second sweep): nothing more goes out.
    assert send_class_reminders(3, *sorted(ours)) == 0
    assert len(mail_server.messages) == 3


def test_a_message_failing_mid_batch_is_retried_alone(app, ctx, clock, jobs, mail_server):
    from app.notifications.services import deliver

    bookings = booked(3)
    emails = [b.customer.email for b in bookings]
    mail_server.busy_once.add(emails[1])  # 451 for the middle one, this once
    jobs.clear()
    assert send_class_reminders(3, *[b.id for b in bookings]) == 3
    assert [len(mail_server.to(e)) for e in emails] == [1, 0, 1]
    rows = reminder_rows(bookings)
    middle = rows[emails[1]]
    assert (middle.status, middle.attempts, middle.due_at) == \
        (Status.QUEUED, 1, NOW + timedelta(seconds=app.config["NOTIFY_RETRY_DELAYS"][0]))
    assert middle.last_error.startswith("SMTP 451")
    # Only the failed message has a retry queued; when it runs, only it is sent.
    assert [(f, a) for f, a, _q, _at in jobs] == [(DELIVER, (middle.id,))]
    assert deliver(middle.id, now=middle.due_at)
    assert [len(mail_server.to(e)) for e in emails] == [1, 1, 1]
    assert {r.status for r in rows.values()} == {Status.SENT}


def test_a_batch_killed_midway_resumes_with_only_the_unsent(app, ctx, clock, jobs, mail_server,
                                                            monkeypatch):
    bookings = booked(5)
    ours = [b.id for b in bookings]
    emails = [b.customer.email for b in bookings]
    real_send = mail.smtplib.SMTP.send_message
    sent = []

    def dies_at_the_third(smtp, msg, *args, **kwargs):
        if len(sent) == 2:  # RQ's job timeout (or a stop) lands while the third goes out
            raise JobTimeoutException("Task exceeded maximum timeout value (300 seconds)")
        sent.append(msg["To"])
        return real_send(smtp, msg, *args, **kwargs)

    monkeypatch.setattr(mail.smtplib.SMTP, "send_message", dies_at_the_third)
    with pytest.raises(JobTimeoutException):
        send_class_reminders(3, *ours)
    assert [len(mail_server.to(e)) for e in emails] == [1, 1, 0, 0, 0]
    assert set(reminder_rows(bookings)) == set(emails[:2])  # the sent two are logged
    monkeypatch.setattr(mail.smtplib.SMTP, "send_message", real_send)

    # The next sweep queues only the three unsent; RQ's retry of the whole batch sends only
    # those too.
    jobs.clear()
    reminders.queue_due_reminders()
    db.session.commit()
    assert sorted(i for f, a, _q, _at in jobs if f == SEND for i in a[1:] if i in ours) == \
        ours[2:]
    assert send_class_reminders(3, *ours) == 3
    assert send_class_reminders(3, *ours[2:]) == 0
    assert [len(mail_server.to(e)) for e in emails] == [1] * 5
    assert {r.status for r in reminder_rows(bookings).values()} == {Status.SENT}


def test_a_dropped_connection_fails_one_message_and_the_next_reconnects(app, ctx, clock, jobs,
                                                                         mail_server,
                                                                         monkeypatch):
    bookings = booked(3)
    emails = [b.customer.email for b in bookings]
    real_send = mail.smtplib.SMTP.send_message
    calls = []

    def drops_on_the_second(smtp, msg, *args, **kwargs):
        calls.append(msg["To"])
        if len(calls) == 2:
            smtp.close()  # the server went away under the kept connection
        return real_send(smtp, msg, *args, **kwargs)

    monkeypatch.setattr(mail.smtplib.SMTP, "send_message", drops_on_the_second)
    assert send_class_reminders(3, *[b.id for b in bookings]) == 3
    assert [len(mail_server.to(e)) for e in emails] == [1, 0, 1]
    assert len(set(mail_server.peers)) == 2  # the third went over a fresh connection
    assert reminder_rows(bookings)[emails[1]].status == Status.QUEUED
