"""One service sends every message: logged per channel, once per dedup key, retried on a
temporary failure, and a permanent failure retires the address (real SMTP on 127.0.0.1)."""

import socket
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.notifications.models import Notification, Status, UndeliverableAddress
from app.notifications.services import deliver, notify, send_email
from tests.factories import StudioFactory, UserFactory

DELIVER = "workers.jobs.notifications.deliver"


def log_of(user):
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def test_an_email_is_sent_logged_and_its_rendered_copy_dropped(app, ctx, mail_server):
    studio = StudioFactory()
    user = UserFactory(locale="ar")
    assert send_email(user, "password_reset", dedup_key="reset:1", studio=studio,
                      link="http://fitflow.test/reset/x")
    (mail,) = mail_server.to(user.email)
    html = mail.get_body(("html",)).get_content()
    assert 'dir="rtl"' in html and f"استوديو {studio.slug}" in html  # her language, the studio
    (row,) = log_of(user)
    assert (row.channel, row.category, row.template, row.status, row.attempts) == \
        ("email", "security", "password_reset", Status.SENT, 1)
    assert row.studio_id == studio.id and row.address == user.email
    assert row.payload is None  # the reset link is not kept in the log
    # The same dedup key again: nothing sent, nothing logged.
    assert not send_email(user, "password_reset", dedup_key="reset:1", studio=studio,
                          link="http://fitflow.test/reset/x")
    assert len(mail_server.to(user.email)) == 1 and len(log_of(user)) == 1


def test_a_temporary_smtp_failure_is_retried_with_backoff(app, ctx, mail_server, jobs):
    user = UserFactory(email="later-anna@example.com")
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    assert notify(user, "password_changed", dedup_key="pw:1", now=now)
    (row,) = log_of(user)
    assert row.status == Status.QUEUED and row.attempts == 1
    assert row.last_error.startswith("SMTP 451")
    assert row.due_at == now + timedelta(seconds=60)
    db.session.commit()
    assert [(f, a, at) for f, a, _q, at in jobs] == [(DELIVER, (row.id,), row.due_at)]
    # Each later failure waits longer; after the last delay it has failed.
    delays = app.config["NOTIFY_RETRY_DELAYS"]
    for n, delay in enumerate(delays[1:], start=2):
        assert not deliver(row.id, now=row.due_at)
        assert row.attempts == n and row.due_at - now > timedelta(seconds=delay - 1)
    assert not deliver(row.id, now=row.due_at)
    assert row.status == Status.FAILED and row.payload is None
    assert mail_server.to(user.email) == []
    assert db.session.scalar(select(UndeliverableAddress.id)) is None  # not the address's fault


def test_a_retry_that_gets_through_is_sent_once(app, ctx, mail_server, monkeypatch):
    user = UserFactory()
    with socket.socket() as closed:  # a port nobody listens on: connection refused
        closed.bind(("127.0.0.1", 0))
        monkeypatch.setitem(app.config, "MAIL_PORT", closed.getsockname()[1])
    notify(user, "password_changed", dedup_key="pw:2")
    (row,) = log_of(user)
    assert row.status == Status.QUEUED and "Connection" in row.last_error
    monkeypatch.setitem(app.config, "MAIL_PORT", mail_server.port)
    assert deliver(row.id, now=row.due_at)
    assert row.status == Status.SENT and row.attempts == 2
    assert not deliver(row.id, now=row.due_at)  # a second run of the same job
    assert len(mail_server.to(user.email)) == 1


def test_a_permanent_failure_retires_the_address(app, ctx, mail_server):
    user = UserFactory(email="bounce-bob@example.com")
    assert notify(user, "password_changed", dedup_key="pw:3")
    (row,) = log_of(user)
    assert row.status == Status.UNDELIVERABLE and row.last_error.startswith("SMTP 550")
    assert db.session.scalar(select(UndeliverableAddress.address)) == user.email
    # Nothing more goes to it: not tried, not logged.
    assert not notify(user, "password_changed", dedup_key="pw:4")
    assert mail_server.refusals == [user.email] and len(log_of(user)) == 1
