"""What is sent: a booking's confirmation (or its place on the waitlist), and class reminders
at the hours the studio set, each once, by the worker's sweep (fixed clocks)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.bookings import services
from app.bookings.models import Booking
from app.bookings.reminders import due_hours, queue_due_reminders
from app.extensions import db
from app.notifications.models import Notification, Status
from app.notifications.services.preferences import preferences_for
from tests.factories import ClassFactory, StudioFactory, UserFactory

REMIND = "workers.jobs.notifications.send_class_reminders"


def test_booking_confirmed_and_waitlist_joined_are_sent(app, ctx, run_jobs, mail_server):
    studio = StudioFactory()
    cls = ClassFactory(studio=studio, capacity=1)
    first, second = UserFactory(locale="ar"), UserFactory()
    services.book_class(studio, cls, first, actor=first)
    services.book_class(studio, cls, second, actor=second)
    db.session.commit()
    run_jobs("send_booking_confirmed")
    (booked,) = mail_server.to(first.email)
    assert booked["Subject"] == "تم حجزك"
    text = booked.get_body(("plain",)).get_content()
    assert f"/s/{studio.slug}/classes/{cls.id}" in text
    booking_id = db.session.scalar(select(Booking.id).where(Booking.customer_id == first.id))
    assert f"/me/bookings/{booking_id}.ics" in text  # "Add to calendar"
    (waiting,) = mail_server.to(second.email)
    assert waiting["Subject"] == "You are on the waitlist"


def test_due_hours():
    starts = datetime(2026, 12, 10, 18, 0, tzinfo=UTC)
    early = starts - timedelta(days=3)
    assert due_hours([24, 2], starts, early, starts - timedelta(hours=25)) is None
    assert due_hours([24, 2], starts, early, starts - timedelta(hours=24)) == 24
    assert due_hours([24, 2], starts, early, starts - timedelta(hours=3)) == 24
    assert due_hours([24, 2], starts, early, starts - timedelta(hours=2)) == 2
    assert due_hours([24, 2], starts, early, starts) is None  # it started
    # Booked 5 hours before: no 24-hour reminder, the 2-hour one in time.
    late = starts - timedelta(hours=5)
    assert due_hours([24, 2], starts, late, starts - timedelta(hours=4)) is None
    assert due_hours([24, 2], starts, late, starts - timedelta(hours=2)) == 2


def test_reminders_go_once_each_at_the_studio_s_hours(app, ctx, jobs, run_jobs, mail_server,
                                                      monkeypatch):
    import app.bookings.reminders as reminders
    import app.core.db as core_db

    studio = StudioFactory(reminder_hours=[24, 2])
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    cls = ClassFactory(studio=studio, starts_at=start, ends_at=start + timedelta(hours=1))
    user = UserFactory(timezone="UTC")
    prefs = preferences_for(user)
    prefs.quiet_start = prefs.quiet_end = None  # quiet hours have their own tests
    booking = services.book_class(studio, cls, user, actor=user)
    db.session.commit()
    jobs.clear()

    def sweep_at(now):
        # The worker's sweep and the job, both on a fixed clock. The sweep covers every
        # studio: race tests leave committed bookings of their own, which are not counted.
        monkeypatch.setattr(reminders, "utcnow", lambda: now)
        monkeypatch.setattr(core_db, "utcnow", lambda: now)
        queue_due_reminders(now)
        db.session.commit()
        jobs[:] = [(f, (a[0], booking.id), q, at) for f, a, q, at in jobs
                   if f == REMIND and booking.id in a[1:]]
        queued = len(jobs)
        with monkeypatch.context() as m:
            m.setattr("app.notifications.services.sending.utcnow", lambda: now)
            run_jobs(REMIND)
        return queued

    assert sweep_at(start - timedelta(hours=30)) == 0
    # Noon UTC, a day before: outside quiet hours.
    assert sweep_at(start - timedelta(hours=24)) == 1
    assert sweep_at(start - timedelta(hours=23)) == 0  # sent: not queued again
    assert sweep_at(start - timedelta(hours=2)) == 1
    assert sweep_at(start - timedelta(hours=1)) == 0
    rows = db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                         Notification.template ==
                                                         "class_reminder")).all()
    assert sorted(r.dedup_key for r in rows) == sorted(
        [f"reminder:{b}:{h}" for b in {int(r.dedup_key.split(':')[1]) for r in rows}
         for h in (24, 2)])
    assert all(r.status == Status.SENT for r in rows)
    assert len([m for m in mail_server.to(user.email) if "Reminder" in m["Subject"]]) == 2


def test_a_reminder_queued_twice_is_sent_once(app, ctx, jobs, run_jobs, mail_server):
    studio = StudioFactory(reminder_hours=[3])
    start = datetime.now(UTC) + timedelta(hours=2)
    cls = ClassFactory(studio=studio, starts_at=start, ends_at=start + timedelta(hours=1))
    user = UserFactory(timezone="UTC")
    prefs = preferences_for(user)
    prefs.quiet_start = prefs.quiet_end = None  # whatever the hour this test runs at
    booking = services.book_class(studio, cls, user, actor=user)
    booking.created_at = start - timedelta(days=1)
    db.session.commit()
    jobs.clear()
    assert queue_due_reminders() == 1
    assert queue_due_reminders() == 1  # the first job has not run yet: queued again
    db.session.commit()
    results = [r for _f, _a, r in run_jobs(REMIND)]
    assert results == [1, 0]
    assert len(mail_server.to(user.email)) == 1


def test_a_cancelled_booking_gets_no_reminder(app, ctx, jobs, run_jobs, mail_server):
    studio = StudioFactory(reminder_hours=[3])
    start = datetime.now(UTC) + timedelta(hours=2)
    cls = ClassFactory(studio=studio, starts_at=start, ends_at=start + timedelta(hours=1))
    user = UserFactory(timezone="UTC")
    booking = services.book_class(studio, cls, user, actor=user)
    booking.created_at = start - timedelta(days=1)
    db.session.commit()
    jobs.clear()
    assert queue_due_reminders() == 1
    services.cancel_booking(studio, booking, actor=user)
    db.session.commit()
    assert [r for f, _a, r in run_jobs() if f == REMIND] == [0]
    assert not [m for m in mail_server.to(user.email) if "Reminder" in m["Subject"]]


def test_the_studio_sets_its_reminder_hours(app, client):
    from app.studios.models import Role
    from tests.conftest import login
    from tests.factories import staff

    studio = StudioFactory()
    login(client, staff(studio, Role.OWNER))
    form = {"booking_opens_days": "7", "booking_closes_minutes": "0",
            "cancel_cutoff_minutes": "60", "waitlist_mode": "auto", "offer_hold_minutes": "10",
            "default_language": "en", "first_weekday": "1", "load_unit": "kg",
            "load_increment": "2.5"}
    url = f"/manage/{studio.slug}/settings"
    assert 'value="24, 2"' in client.get(url).get_data(as_text=True)
    assert client.post(url, data={**form, "reminder_hours": "٢، 48"}).status_code == 303
    db.session.expire_all()
    assert studio.reminder_hours == [48, 2]
    for bad in ("100", "0", "1, 2, 3, 4", "tomorrow", "2.5"):
        assert client.post(url, data={**form, "reminder_hours": bad}).status_code == 422, bad
    db.session.expire_all()
    assert studio.reminder_hours == [48, 2]
    assert client.post(url, data={**form, "reminder_hours": ""}).status_code == 303
    db.session.expire_all()
    assert studio.reminder_hours == []  # no reminders


def test_a_late_cancel_says_what_it_cost(app, ctx, run_jobs, mail_server):
    studio = StudioFactory(cancel_cutoff_minutes=24 * 60, late_cancel_fee_minor=1500)
    start = datetime.now(UTC) + timedelta(hours=3)
    cls = ClassFactory(studio=studio, starts_at=start, ends_at=start + timedelta(hours=1))
    user = UserFactory(locale="en")
    booking = services.book_class(studio, cls, user, actor=user)
    db.session.commit()
    services.cancel_booking(studio, booking, actor=user)
    db.session.commit()
    run_jobs("send_booking_cancelled")
    (mail,) = mail_server.to(user.email)
    assert mail["Subject"] == "Your booking is cancelled"
    assert "Late cancel" in mail.get_body(("plain",)).get_content()


def test_an_expired_offer_is_told(app, ctx, run_jobs, mail_server):
    from app.studios.models import WaitlistMode

    studio = StudioFactory(waitlist_mode=WaitlistMode.CLAIM)
    cls = ClassFactory(studio=studio, capacity=1)
    first, second = UserFactory(), UserFactory(locale="ar")
    booked = services.book_class(studio, cls, first, actor=first)
    offered = services.book_class(studio, cls, second, actor=second)
    services.cancel_booking(studio, booked, actor=first)
    db.session.commit()
    assert services.expire_offer(studio, offered, now=offered.offer_expires_at
                                 + timedelta(seconds=1))
    db.session.commit()
    run_jobs("send_offer_expired")
    (mail,) = mail_server.to(second.email)
    html = mail.get_body(("html",)).get_content()
    assert 'dir="rtl"' in html and f"/s/{studio.slug}/schedule" in html
