"""A change to a coach's class or session reaches her CalDAV calendar by itself: one sync job per
coach per commit, queued after the commit, against a real Radicale server (no sweep run)."""

from datetime import timedelta

from sqlalchemy import select

from app.appointments.services import cancel_appointment
from app.bookings.services.cancel import cancel_class
from app.bookings.timetable import change_class
from app.calendars.models import CalendarConnection
from app.extensions import db
from tests.calendars import test_sync
from tests.calendars.test_sync import connect, sync_jobs
from tests.factories import ClassFactory, UserFactory
from workers.jobs.calendars import sync_calendar

SYNC = "workers.jobs.calendars.sync_calendar"
coach_week = test_sync.coach_week  # the same coach, class and session as the sync tests


def _connected(app, coach, radicale, jobs, run_jobs):
    calendar_url = radicale.new_calendar()
    connect(app, coach, calendar_url, radicale.user, radicale.password)
    run_jobs("calendars")
    jobs.clear()
    connection = db.session.scalar(select(CalendarConnection)
                                   .where(CalendarConnection.user_id == coach.id))
    return calendar_url, connection


def _move(week, cls, hours, coach_id=None, capacity=None):
    change_class(week["studio"], cls, actor=week["coach"],
                 starts_at=cls.starts_at + timedelta(hours=hours),
                 duration_minutes=(cls.ends_at - cls.starts_at) // timedelta(minutes=1),
                 coach_id=coach_id or cls.coach_id, capacity=capacity or cls.capacity)


def test_a_new_class_time_reaches_radicale_without_the_sweep(app, coach_week, radicale, jobs,
                                                              run_jobs):
    coach, cls = coach_week["coach"], coach_week["cls"]
    calendar_url, connection = _connected(app, coach, radicale, jobs, run_jobs)
    uid = f"class-{cls.id}@fitflow.test"
    before = radicale.events(calendar_url)[uid].decoded("dtstart")

    _move(coach_week, cls, 3)
    assert not sync_jobs(jobs)  # nothing before the commit
    db.session.commit()
    assert sync_jobs(jobs) == [(SYNC, (connection.id,), "calendar", None)]
    run_jobs("calendars")

    there = radicale.events(calendar_url)[uid]
    assert there.decoded("dtstart") == cls.starts_at == before + timedelta(hours=3)
    assert int(there["sequence"]) == 1


def test_many_changes_in_one_commit_queue_one_sync_per_coach(app, coach_week, radicale, jobs,
                                                             run_jobs):
    coach, cls, session = coach_week["coach"], coach_week["cls"], coach_week["session"]
    calendar_url, connection = _connected(app, coach, radicale, jobs, run_jobs)
    other = ClassFactory(studio=coach_week["studio"], coach_id=coach.id, hours_ahead=96)
    _move(coach_week, cls, 1)
    _move(coach_week, cls, 1)
    cancel_class(coach_week["studio"], other, actor=coach)
    cancel_appointment(coach_week["studio"], session, actor=coach)
    db.session.commit()
    assert sync_jobs(jobs) == [(SYNC, (connection.id,), "calendar", None)]
    run_jobs("calendars")
    there = radicale.events(calendar_url)
    assert set(there) == {f"class-{cls.id}@fitflow.test"}  # the cancelled ones are deleted
    assert there[f"class-{cls.id}@fitflow.test"].decoded("dtstart") == cls.starts_at

    # The next commit queues again: the dedup is per commit, not forever.
    _move(coach_week, cls, 1)
    db.session.commit()
    assert sync_jobs(jobs) == [(SYNC, (connection.id,), "calendar", None)]


def test_a_substitute_coach_syncs_both_calendars(app, coach_week, radicale, jobs, run_jobs):
    coach, cls = coach_week["coach"], coach_week["cls"]
    calendar_url, connection = _connected(app, coach, radicale, jobs, run_jobs)
    substitute = UserFactory()
    theirs = CalendarConnection(user_id=substitute.id, url=radicale.url + "x/", username="x",
                                password="x")
    db.session.add(theirs)
    db.session.flush()
    _move(coach_week, cls, 0, coach_id=substitute.id)
    db.session.commit()
    assert sorted(j[1] for j in sync_jobs(jobs)) == sorted([(connection.id,), (theirs.id,)])
    # Only the first coach's: the substitute's made-up calendar would fail and retry forever.
    assert sync_calendar(connection.id) is True
    assert f"class-{cls.id}@fitflow.test" not in radicale.events(calendar_url)


def test_what_a_calendar_does_not_show_queues_nothing(app, coach_week, radicale, jobs,
                                                      run_jobs):
    coach, cls = coach_week["coach"], coach_week["cls"]
    _connected(app, coach, radicale, jobs, run_jobs)
    _move(coach_week, cls, 0, capacity=cls.capacity + 5)  # capacity only
    db.session.commit()
    assert not sync_jobs(jobs)


def test_a_rolled_back_change_queues_nothing(app, coach_week, radicale, jobs, run_jobs):
    coach, cls = coach_week["coach"], coach_week["cls"]
    _connected(app, coach, radicale, jobs, run_jobs)
    _move(coach_week, cls, 2)
    db.session.rollback()
    db.session.commit()
    assert not sync_jobs(jobs)


def test_a_coach_without_a_calendar_queues_nothing(app, coach_week, jobs):
    _move(coach_week, coach_week["cls"], 2)
    db.session.commit()
    assert not sync_jobs(jobs)
