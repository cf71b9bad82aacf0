"""Quiet hours, in the recipient's own zone, on fixed clocks: reminders and news inside them
wait for their end (never dropped); account and booking messages go at once."""

from datetime import UTC, datetime, time

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notifications.models import Notification, Status
from app.notifications.quiet import quiet_until
from app.notifications.services import deliver, notify
from app.notifications.services.preferences import preferences_for
from tests.factories import ClassFactory, StudioFactory, UserFactory

NIGHT = time(22, 0), time(8, 0)


@pytest.mark.parametrize("local, wake", [
    ("2026-12-07 21:59", None),
    ("2026-12-07 22:00", "2026-12-08 08:00"),
    ("2026-12-07 23:30", "2026-12-08 08:00"),
    ("2026-12-08 03:00", "2026-12-08 08:00"),
    ("2026-12-08 07:59", "2026-12-08 08:00"),
    ("2026-12-08 08:00", None),
    ("2026-12-08 12:00", None),
])
def test_quiet_until_over_midnight_in_riyadh(local, wake):
    from zoneinfo import ZoneInfo

    riyadh = ZoneInfo("Asia/Riyadh")
    now = datetime.fromisoformat(local).replace(tzinfo=riyadh).astimezone(UTC)
    expected = wake and datetime.fromisoformat(wake).replace(tzinfo=riyadh).astimezone(UTC)
    assert quiet_until(now, "Asia/Riyadh", *NIGHT) == expected


def test_the_night_the_clocks_change_ends_at_eight_local():
    # Toronto falls back at 02:00 on 2026-11-01: the night is an hour longer, still 08:00.
    now = datetime(2026, 11, 1, 4, 0, tzinfo=UTC)  # 00:00 EDT
    assert quiet_until(now, "America/Toronto", *NIGHT) == datetime(2026, 11, 1, 13, 0,
                                                                   tzinfo=UTC)  # 08:00 EST


def test_daytime_quiet_hours_and_none():
    now = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)
    assert quiet_until(now, "UTC", time(12, 0), time(14, 0)) == datetime(2026, 12, 7, 14, 0,
                                                                         tzinfo=UTC)
    assert quiet_until(now, "UTC", None, None) is None
    assert quiet_until(now, "Nowhere/Atlantis", time(12, 0), time(14, 0)) is not None


def _reminder(user, studio, cls, now, key="r:1"):
    return notify(user, "class_reminder", studio=studio, dedup_key=key, now=now, cls=cls,
                  booking=None, url="http://fitflow.test/c")


def test_a_reminder_at_night_is_deferred_to_the_end_and_then_sent(app, ctx, mail_server, jobs):
    studio = StudioFactory()
    cls = ClassFactory(studio=studio)
    user = UserFactory(timezone="Asia/Riyadh")
    night = datetime(2026, 12, 7, 20, 30, tzinfo=UTC)  # 23:30 in Riyadh
    assert _reminder(user, studio, cls, night)
    (row,) = db.session.scalars(select(Notification).where(Notification.user_id == user.id))
    wake = datetime(2026, 12, 8, 5, 0, tzinfo=UTC)  # 08:00 in Riyadh
    assert (row.status, row.due_at, row.attempts) == (Status.DEFERRED, wake, 0)
    assert mail_server.to(user.email) == []
    db.session.commit()
    assert [(f, a, at) for f, a, _q, at in jobs] == \
        [("workers.jobs.notifications.deliver", (row.id,), wake)]
    # A job that runs early (a clock off, a sweep) sends nothing and waits again.
    jobs.clear()
    assert not deliver(row.id, now=datetime(2026, 12, 8, 1, 0, tzinfo=UTC))
    db.session.commit()
    assert row.status == Status.DEFERRED and [j[3] for j in jobs] == [wake]
    assert deliver(row.id, now=wake)
    assert row.status == Status.SENT and len(mail_server.to(user.email)) == 1


def test_at_night_bookings_and_security_go_at_once(app, ctx, mail_server):
    user = UserFactory(timezone="Asia/Riyadh")
    night = datetime(2026, 12, 7, 20, 30, tzinfo=UTC)
    assert notify(user, "password_changed", dedup_key="pw", now=night)
    assert len(mail_server.to(user.email)) == 1


def test_own_quiet_hours_and_none(app, ctx, mail_server):
    studio = StudioFactory()
    cls = ClassFactory(studio=studio)
    user = UserFactory(timezone="Asia/Riyadh")
    prefs = preferences_for(user)
    prefs.quiet_start, prefs.quiet_end = None, None  # no quiet hours: at once
    night = datetime(2026, 12, 7, 20, 30, tzinfo=UTC)
    assert _reminder(user, studio, cls, night, key="r:a")
    assert len(mail_server.to(user.email)) == 1
    prefs.quiet_start, prefs.quiet_end = time(13, 0), time(14, 0)
    noon = datetime(2026, 12, 7, 10, 30, tzinfo=UTC)  # 13:30 in Riyadh
    assert _reminder(user, studio, cls, noon, key="r:b")
    row = db.session.scalar(select(Notification).where(Notification.dedup_key == "r:b"))
    assert row.status == Status.DEFERRED and row.due_at == datetime(2026, 12, 7, 11, 0,
                                                                   tzinfo=UTC)


def test_without_a_zone_of_their_own_the_studio_s_zone_counts(app, ctx, mail_server):
    studio = StudioFactory()  # America/Toronto
    cls = ClassFactory(studio=studio)
    user = UserFactory(timezone=None)
    late = datetime(2026, 12, 8, 4, 0, tzinfo=UTC)  # 23:00 in Toronto, 04:00 UTC
    assert _reminder(user, studio, cls, late)
    row = db.session.scalar(select(Notification).where(Notification.user_id == user.id))
    assert row.due_at == datetime(2026, 12, 8, 13, 0, tzinfo=UTC)  # 08:00 EST


def test_a_deferred_message_whose_job_was_lost_goes_out_with_the_sweep(app, ctx, mail_server,
                                                                       jobs, run_jobs):
    """A Redis that forgot its schedule (a restart without persistence) loses nothing: the
    worker's sweep finds the overdue row and sends it, once."""
    from datetime import timedelta

    from app.core.db import utcnow
    from workers.jobs.notifications import sweep

    studio = StudioFactory()
    cls = ClassFactory(studio=studio)
    user = UserFactory(timezone="Asia/Riyadh")
    night = datetime(2026, 12, 7, 20, 30, tzinfo=UTC)
    _reminder(user, studio, cls, night)
    row = db.session.scalar(select(Notification).where(Notification.user_id == user.id))
    row.due_at = utcnow() - timedelta(minutes=30)  # its time came half an hour ago
    db.session.commit()
    jobs.clear()  # the scheduled delivery is lost
    deliver_row = ("workers.jobs.notifications.deliver", (row.id,))
    sweep()  # (other tests' committed bookings may add reminders of their own)
    assert deliver_row in [(f, a) for f, a, _q, _at in jobs]
    run_jobs("notifications.deliver")
    assert row.status == Status.SENT and len(mail_server.to(user.email)) == 1
    sweep()  # sent: nothing to queue again
    assert deliver_row not in [(f, a) for f, a, _q, _at in jobs]


def test_a_deferred_reminder_is_not_sent_after_unsubscribing(app, ctx, mail_server):
    from app.notifications.services.preferences import unsubscribe

    studio = StudioFactory()
    cls = ClassFactory(studio=studio)
    user = UserFactory(timezone="Asia/Riyadh")
    night = datetime(2026, 12, 7, 20, 30, tzinfo=UTC)
    _reminder(user, studio, cls, night)
    row = db.session.scalar(select(Notification).where(Notification.user_id == user.id))
    unsubscribe(user.id, "reminders")
    assert not deliver(row.id, now=row.due_at)
    assert (row.status, row.last_error) == (Status.FAILED, "unsubscribed")
    assert mail_server.to(user.email) == []
