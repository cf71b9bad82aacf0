"""A coach's own calendar over CalDAV, against a real Radicale server on 127.0.0.1: the feed
imports cleanly, the sync creates, updates and deletes, busy times come back into 1:1 slots,
and a failure is shown and retried."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.appointments.models import Appointment, ExternalBusy
from app.appointments.services import cancel_appointment
from app.appointments.slots import free_slots
from app.bookings.timetable import change_class
from app.calendars.ics import calendar_of
from app.calendars.models import CalendarConnection, PushedEvent, SyncState
from app.calendars.queries import person_entries
from app.core.db import utcnow
from app.extensions import db
from tests.appointments.helpers import coach_with_hours, session_type
from tests.conftest import login
from tests.factories import ClassFactory, StudioFactory, UserFactory
from tests.pages import Page

TORONTO = ZoneInfo("America/Toronto")


@pytest.fixture
def coach_week():
    """A coach who takes sessions 07:00-11:00 Toronto time every day, coaches a class in three
    days and gives a session in two."""
    studio = StudioFactory()
    coach = coach_with_hours(studio, starts=time(7), ends=time(11))
    coach.timezone = "America/Toronto"
    cls = ClassFactory(studio=studio, coach_id=coach.id, hours_ahead=72)
    st = session_type(studio)
    starts = utcnow().replace(second=0, microsecond=0) + timedelta(days=2)
    session = Appointment(studio_id=studio.id, coach_id=coach.id,
                          customer_id=UserFactory(name="Nora").id, session_type_id=st.id,
                          location_id=studio.default_location_id, starts_at=starts,
                          ends_at=starts + timedelta(hours=1))
    db.session.add(session)
    db.session.flush()
    return dict(studio=studio, coach=coach, cls=cls, session=session, session_type=st)


def connect(app, coach, url, user, password):
    client = app.test_client()
    login(client, coach)
    response = client.post("/me/calendar/caldav",
                           data={"url": url, "username": user, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return client


def sync_jobs(jobs):
    return [j for j in jobs if j[0] == "workers.jobs.calendars.sync_calendar"]


def test_the_feed_imports_into_a_real_caldav_server(app, coach_week, radicale):
    calendar_url = radicale.new_calendar()
    feed = Calendar.from_ical(calendar_of(person_entries(coach_week["coach"], utcnow())))
    zones = list(feed.walk("VTIMEZONE"))
    with radicale.client() as client:
        for event in feed.walk("VEVENT"):
            one = Calendar()
            one.add("prodid", "-//test//import//EN")
            one.add("version", "2.0")
            for zone in zones:
                one.add_component(zone)
            one.add_component(event)
            response = client.put(f"{calendar_url}{event['uid']}.ics", one.to_ical().decode(),
                                  {"Content-Type": "text/calendar"})
            assert response.status == 201  # Radicale checks the iCalendar it is given
    imported = radicale.events(calendar_url)
    assert set(imported) == {str(e["uid"]) for e in feed.walk("VEVENT")}
    cls_uid = next(uid for uid in imported if uid.startswith("class-"))
    assert imported[cls_uid].decoded("dtstart") == coach_week["cls"].starts_at
    assert imported[cls_uid]["dtstart"].params["TZID"] == "America/Toronto"


def test_sync_creates_updates_and_deletes_keeping_each_etag(app, coach_week, radicale, jobs,
                                                             run_jobs):
    coach, cls, session = coach_week["coach"], coach_week["cls"], coach_week["session"]
    calendar_url = radicale.new_calendar()
    connect(app, coach, calendar_url, radicale.user, radicale.password)
    assert sync_jobs(jobs)
    run_jobs("calendars")
    connection = db.session.scalar(select(CalendarConnection)
                                   .where(CalendarConnection.user_id == coach.id))
    assert connection.state == SyncState.OK and connection.password == radicale.password
    there = radicale.events(calendar_url)
    class_uid, session_uid = (f"class-{cls.id}@fitflow.test",
                              f"session-{session.id}@fitflow.test")
    assert set(there) == {class_uid, session_uid}
    pushed = {p.uid: p for p in db.session.scalars(select(PushedEvent))}
    assert all(p.etag for p in pushed.values())
    first_etag = pushed[class_uid].etag

    change_class(coach_week["studio"], cls, actor=coach,
                 starts_at=cls.starts_at + timedelta(hours=2), duration_minutes=45,
                 coach_id=coach.id, capacity=cls.capacity)
    cancel_appointment(coach_week["studio"], session, actor=coach)
    db.session.commit()
    from workers.jobs.calendars import sync_calendar

    assert sync_calendar(connection.id) is True
    there = radicale.events(calendar_url)
    assert set(there) == {class_uid}  # the cancelled session is deleted
    assert there[class_uid].decoded("dtstart") == cls.starts_at
    assert int(there[class_uid]["sequence"]) == 1
    db.session.expire_all()
    assert db.session.get(PushedEvent, pushed[class_uid].id).etag != first_etag

    # Nothing changed: nothing is written (the ETag on the server stays).
    etag = db.session.get(PushedEvent, pushed[class_uid].id).etag
    assert sync_calendar(connection.id) is True
    db.session.expire_all()
    assert db.session.get(PushedEvent, pushed[class_uid].id).etag == etag


def test_busy_times_in_the_coachs_calendar_are_kept_free_of_sessions(app, coach_week,
                                                                      radicale, run_jobs):
    coach, studio = coach_week["coach"], coach_week["studio"]
    calendar_url = radicale.new_calendar()
    day = (utcnow().astimezone(TORONTO) + timedelta(days=5)).date()
    dentist = datetime.combine(day, time(8), TORONTO)
    with radicale.client() as client:
        client.calendar(url=calendar_url).save_event(
            dtstart=dentist, dtend=dentist + timedelta(hours=1), uid="dentist",
            summary="Dentist")
    now = utcnow()
    before = [s.starts_at for s in free_slots(studio, coach, coach_week["session_type"],
                                              day, day, now)]
    assert dentist.astimezone(UTC) in before

    connect(app, coach, calendar_url, radicale.user, radicale.password)
    run_jobs("calendars")
    after = [s.starts_at for s in free_slots(studio, coach, coach_week["session_type"],
                                             day, day, now)]
    local = sorted(s.astimezone(TORONTO).time() for s in after)
    # 60-minute sessions between 07:00 and 11:00, none overlapping 08:00-09:00.
    assert local[0] == time(7) and time(9) in local
    assert not any(time(7) < t < time(9) for t in local)
    # The class and session FitFlow wrote there are not read back as busy times.
    busy = db.session.execute(select(ExternalBusy.starts_at, ExternalBusy.ends_at)).all()
    assert busy == [(dentist.astimezone(UTC), dentist.astimezone(UTC) + timedelta(hours=1))]


def test_a_failed_sync_is_shown_to_the_coach_and_tried_again(app, coach_week, radicale, jobs,
                                                             run_jobs):
    coach = coach_week["coach"]
    calendar_url = radicale.new_calendar()
    client = connect(app, coach, calendar_url, radicale.user, "wrong-password")
    jobs.clear()
    from workers.jobs.calendars import sync_calendar

    connection = db.session.scalar(select(CalendarConnection)
                                   .where(CalendarConnection.user_id == coach.id))
    assert sync_calendar(connection.id) is False
    db.session.expire_all()
    assert connection.state == SyncState.FAILING and connection.failures == 1
    retry = sync_jobs(jobs)
    assert len(retry) == 1 and retry[0][3] > utcnow() + timedelta(minutes=1)
    alert = Page(client.get("/me/calendar")).one("[role=alert]").text
    assert "The last sync failed" in alert and "tried again" in alert
    assert radicale.events(calendar_url) == {}

    # The coach fixes the password: the retry (run now) works and the alert is gone.
    client.post("/me/calendar/caldav", data={"url": calendar_url, "username": radicale.user,
                                             "password": radicale.password})
    run_jobs("calendars")
    db.session.expire_all()
    assert connection.state == SyncState.OK and connection.failures == 0
    assert len(radicale.events(calendar_url)) == 2
    assert not Page(client.get("/me/calendar")).all("[role=alert]")


def test_a_server_that_is_away_is_a_failure_not_a_crash(app, coach_week, radicale):
    coach = coach_week["coach"]
    calendar_url = radicale.new_calendar()
    connect(app, coach, calendar_url, radicale.user, radicale.password)
    radicale.stop()
    from workers.jobs.calendars import sync_calendar

    connection = db.session.scalar(select(CalendarConnection)
                                   .where(CalendarConnection.user_id == coach.id))
    assert sync_calendar(connection.id) is False
    db.session.expire_all()
    assert connection.state == SyncState.FAILING and connection.last_error
    radicale.start()
    assert sync_calendar(connection.id) is True


def test_connecting_checks_the_form_and_is_for_coaches_only(app, coach_week):
    client = app.test_client()
    login(client, coach_week["coach"])
    response = client.post("/me/calendar/caldav", data={"url": "ftp://x", "username": "",
                                                        "password": "p"})
    assert response.status_code == 422
    assert len(Page(response).all(".field-error")) == 2
    assert db.session.scalar(select(CalendarConnection)) is None
    customer = app.test_client()
    login(customer, UserFactory())
    assert customer.post("/me/calendar/caldav", data={
        "url": "https://cal.example.com/", "username": "u", "password": "p"}).status_code == 404
    assert customer.post("/me/calendar/caldav/sync").status_code == 404


def test_in_production_only_an_https_address_outside_the_network_is_taken(app, coach_week,
                                                                           monkeypatch):
    client = app.test_client()
    login(client, coach_week["coach"])
    monkeypatch.setitem(app.config, "PRODUCTION", True)
    for url in ("http://cal.example.com/dav/", "https://127.0.0.1:5232/coach/work/",
                "https://10.1.2.3/dav/", "https://localhost/dav/", "https://[::1]/dav/"):
        response = client.post("/me/calendar/caldav",
                               data={"url": url, "username": "u", "password": "p"})
        assert response.status_code == 422, url
    assert db.session.scalar(select(CalendarConnection)) is None
    response = client.post("/me/calendar/caldav", data={
        "url": "https://caldav.icloud.com/123/calendars/work/", "username": "u",
        "password": "p"})
    assert response.status_code == 303
