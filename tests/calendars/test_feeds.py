"""The private feed and "Add to calendar": what a calendar app reads, parsed with icalendar."""

from datetime import timedelta

import pytest
from icalendar import Calendar

from app.appointments.models import Appointment
from app.bookings.services import book_class, cancel_booking
from app.bookings.timetable import change_class
from app.calendars.queries import person_entries
from app.core.db import utcnow
from app.extensions import db
from app.studios.models import Role
from app.studios.services import places
from tests.appointments.helpers import session_type
from tests.conftest import login
from tests.factories import ClassFactory, LocationFactory, StudioFactory, UserFactory, staff
from tests.pages import Page
from tests.sql import Statements


@pytest.fixture
def diary():
    """A customer with a class in a Toronto room, one in Riyadh, and a 1:1 session; her coach
    coaches the first class and gives the session."""
    studio = StudioFactory()
    coach = staff(studio, Role.TRAINER, name="Coach Sam")
    customer = UserFactory(name="Nora")
    room = places.add_room(studio, studio.default_location, actor=coach, name={"en": "Hall A"},
                           capacity=20)
    riyadh = LocationFactory(studio=studio, name={"en": "Olaya"}, timezone="Asia/Riyadh",
                             address="King Fahd Rd")
    toronto_class = ClassFactory(studio=studio, coach_id=coach.id, room_id=room.id,
                                 hours_ahead=48)
    riyadh_class = ClassFactory(studio=studio, location_id=riyadh.id, hours_ahead=72)
    bookings = [book_class(studio, c, customer, actor=customer)
                for c in (toronto_class, riyadh_class)]
    st = session_type(studio)
    starts = utcnow().replace(second=0, microsecond=0) + timedelta(days=4)
    session = Appointment(studio_id=studio.id, coach_id=coach.id, customer_id=customer.id,
                          session_type_id=st.id, location_id=studio.default_location_id,
                          starts_at=starts, ends_at=starts + timedelta(hours=1))
    db.session.add(session)
    db.session.flush()
    return dict(studio=studio, coach=coach, customer=customer, room=room,
                toronto_class=toronto_class, riyadh_class=riyadh_class, bookings=bookings,
                session=session)


def feed_link(client, user) -> str:
    """Sign in, make the link on /me/calendar, and read the https one off the page."""
    login(client, user)
    assert client.post("/me/calendar/feed").status_code == 303
    page = Page(client.get("/me/calendar"))
    https = page.one("#feed-https").get("value")
    webcal = page.one('a[href^="webcal://"]').get("href")
    assert webcal == "webcal://" + https.split("://", 1)[1]
    return https.split("fitflow.test", 1)[1]


def events(response) -> dict:
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}, calendar


def test_a_customers_feed_has_her_classes_and_session_in_their_own_zones(app, diary):
    client = app.test_client()
    path = feed_link(client, diary["customer"])
    client.get("/logout")  # a calendar app signs in as nobody: the secret is the key
    by_uid, calendar = events(client.get(path))

    booking = by_uid[f"booking-{diary['bookings'][0].id}@fitflow.test"]
    assert booking.decoded("dtstart") == diary["toronto_class"].starts_at
    assert booking["dtstart"].params["TZID"] == "America/Toronto"
    assert str(booking["status"]) == "CONFIRMED" and int(booking["sequence"]) == 0
    assert "Hall A" in str(booking["location"]) and "Strength" in str(booking["summary"])
    assert str(booking["url"]) == (f"http://fitflow.test/s/{diary['studio'].slug}/classes/"
                                   f"{diary['toronto_class'].id}")
    riyadh = by_uid[f"booking-{diary['bookings'][1].id}@fitflow.test"]
    assert riyadh["dtstart"].params["TZID"] == "Asia/Riyadh"
    assert str(riyadh["location"]) == "Olaya, King Fahd Rd"
    session = by_uid[f"session-{diary['session'].id}@fitflow.test"]
    assert "Coach Sam" in str(session["summary"])
    assert {str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")} == {"America/Toronto",
                                                                      "Asia/Riyadh"}
    assert len(by_uid) == 3


def test_a_coachs_feed_has_the_classes_she_coaches_and_the_sessions_she_gives(app, diary):
    client = app.test_client()
    by_uid, _calendar = events(client.get(feed_link(client, diary["coach"])))
    assert set(by_uid) == {f"class-{diary['toronto_class'].id}@fitflow.test",
                           f"session-{diary['session'].id}@fitflow.test"}
    assert "Nora" in str(by_uid[f"session-{diary['session'].id}@fitflow.test"]["summary"])


def test_an_unchanged_feed_is_a_304_and_a_change_is_not(app, diary):
    client = app.test_client()
    path = feed_link(client, diary["customer"])
    first = client.get(path)
    etag = first.headers["ETag"]
    assert client.get(path).headers["ETag"] == etag  # the same bytes each time
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    cancel_booking(diary["studio"], diary["bookings"][1], actor=diary["customer"])
    db.session.commit()
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_a_new_link_kills_the_old_one_and_needs_the_csrf_token(app, diary, monkeypatch):
    client = app.test_client()
    login(client, diary["customer"])
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    token = Page(client.get("/me/calendar")).one('meta[name="csrf-token"]').get("content")
    assert client.post("/me/calendar/feed").status_code == 400  # no token: nothing made
    assert client.post("/me/calendar/feed", data={"csrf_token": token}).status_code == 303
    old = Page(client.get("/me/calendar")).one("#feed-https").get("value")
    old_path = old.split("fitflow.test", 1)[1]
    assert client.get(old_path).status_code == 200
    assert client.post("/me/calendar/feed", data={"csrf_token": token}).status_code == 303
    new = Page(client.get("/me/calendar")).one("#feed-https").get("value")
    assert new != old
    assert client.get(old_path).status_code == 404
    assert client.get(new.split("fitflow.test", 1)[1]).status_code == 200
    assert client.get("/feeds/" + "x" * 43 + ".ics").status_code == 404


def test_sequence_goes_up_when_the_class_moves_or_changes_coach(app, diary):
    client = app.test_client()
    path = feed_link(client, diary["customer"])
    uid = f"booking-{diary['bookings'][0].id}@fitflow.test"
    before = events(client.get(path))[0][uid]
    cls = diary["toronto_class"]
    change_class(diary["studio"], cls, actor=diary["coach"],
                 starts_at=cls.starts_at + timedelta(hours=1), duration_minutes=60,
                 coach_id=cls.coach_id, capacity=cls.capacity)
    db.session.commit()
    moved = events(client.get(path))[0][uid]
    assert int(moved["sequence"]) == int(before["sequence"]) + 1
    assert moved.decoded("dtstart") == before.decoded("dtstart") + timedelta(hours=1)
    assert moved.decoded("dtstamp") >= before.decoded("dtstamp")
    other = staff(diary["studio"], Role.TRAINER)
    change_class(diary["studio"], cls, actor=diary["coach"], starts_at=cls.starts_at,
                 duration_minutes=60, coach_id=other.id, capacity=cls.capacity)
    db.session.commit()
    assert int(events(client.get(path))[0][uid]["sequence"]) == int(moved["sequence"]) + 1
    cls.capacity = 9  # not something a calendar shows: the same SEQUENCE
    db.session.commit()
    assert int(events(client.get(path))[0][uid]["sequence"]) == int(moved["sequence"]) + 1


def test_a_cancelled_booking_is_shown_cancelled_for_seven_days_then_gone(app, diary):
    client = app.test_client()
    path = feed_link(client, diary["customer"])
    booking = diary["bookings"][1]
    cancel_booking(diary["studio"], booking, actor=diary["customer"])
    db.session.commit()
    event = events(client.get(path))[0][f"booking-{booking.id}@fitflow.test"]
    assert str(event["status"]) == "CANCELLED" and int(event["sequence"]) == 1
    six_days = [e.uid for e in person_entries(diary["customer"],
                                              utcnow() + timedelta(days=6, hours=23))]
    eight_days = [e.uid for e in person_entries(diary["customer"], utcnow() + timedelta(days=8))]
    assert f"booking-{booking.id}@fitflow.test" in six_days
    assert f"booking-{booking.id}@fitflow.test" not in eight_days
    assert f"booking-{diary['bookings'][0].id}@fitflow.test" in eight_days


def test_booked_again_after_cancelling_is_one_event(app, diary):
    client = app.test_client()
    path = feed_link(client, diary["customer"])
    first = diary["bookings"][1]
    cancel_booking(diary["studio"], first, actor=diary["customer"])
    again = book_class(diary["studio"], diary["riyadh_class"], diary["customer"],
                       actor=diary["customer"])
    db.session.commit()
    by_uid = events(client.get(path))[0]
    assert f"booking-{again.id}@fitflow.test" in by_uid
    assert f"booking-{first.id}@fitflow.test" not in by_uid


def test_add_to_calendar_is_the_same_event_and_only_for_its_owner(app, diary):
    client = app.test_client()
    login(client, diary["customer"])
    booking = diary["bookings"][0]
    page = Page(client.get("/me/bookings"))
    link = page.one(f'a[href="/me/bookings/{booking.id}.ics"]')
    assert link.text.strip() == "Add to calendar"
    response = client.get(f"/me/bookings/{booking.id}.ics")
    assert response.headers["Content-Disposition"].startswith("attachment")
    by_uid = events(response)[0]
    assert list(by_uid) == [f"booking-{booking.id}@fitflow.test"]
    other = app.test_client()
    login(other, diary["coach"])
    assert other.get(f"/me/bookings/{booking.id}.ics").status_code == 404
    assert app.test_client().get(f"/me/bookings/{booking.id}.ics").status_code == 302


def test_a_year_of_bookings_is_read_in_the_same_statements_as_a_week(app, diary):
    studio, customer = diary["studio"], diary["customer"]
    client = app.test_client()
    path = feed_link(client, customer)
    small = Statements().during(lambda: client.get(path))
    for day in range(1, 360, 2):  # 180 more classes over the past year
        cls = ClassFactory(studio=studio, hours_ahead=-24 * day)
        db.session.add(_past_booking(studio, cls, customer))
    db.session.commit()
    big = Statements().during(lambda: client.get(path))
    assert big == small
    assert len(events(client.get(path))[0]) == 3 + 180


def _past_booking(studio, cls, customer):
    from app.bookings.models import Booking, BookingStatus

    return Booking(studio_id=studio.id, class_id=cls.id, customer_id=customer.id,
                   status=BookingStatus.ATTENDED)


def test_the_calendar_page_in_arabic(app, diary):
    client = app.test_client()
    login(client, diary["coach"])
    client.post("/me/calendar/feed")
    page = Page(client.get("/me/calendar?lang=ar"))
    assert page.one("html").get("dir") == "rtl"
    assert "التقويم" in page.text("h1")
    assert page.all('form[action="/me/calendar/caldav"]')  # a coach may sync her calendar
    customer = app.test_client()
    login(customer, diary["customer"])
    assert not Page(customer.get("/me/calendar")).all('form[action="/me/calendar/caldav"]')


def test_a_session_can_be_added_to_the_calendar_by_the_one_who_takes_it(app, diary):
    session = diary["session"]
    client = app.test_client()
    login(client, diary["customer"])
    assert Page(client.get("/me/bookings")).all(f'a[href="/me/sessions/{session.id}.ics"]')
    by_uid = events(client.get(f"/me/sessions/{session.id}.ics"))[0]
    assert list(by_uid) == [f"session-{session.id}@fitflow.test"]
    coach = app.test_client()
    login(coach, diary["coach"])  # she gives it: it is in her feed, not hers to download
    assert coach.get(f"/me/sessions/{session.id}.ics").status_code == 404


def test_the_e_mail_link_helpers_are_absolute(app, diary):
    from app.calendars.queries import booking_ics_url

    booking = diary["bookings"][0]
    with app.app_context():
        assert booking_ics_url(booking.id) == f"http://fitflow.test/me/bookings/{booking.id}.ics"
        rendered = app.jinja_env.from_string(
            "{{ session_ics_url(id) }}").render(id=diary["session"].id)
    assert rendered == f"http://fitflow.test/me/sessions/{diary['session'].id}.ics"
