"""The customer's slot picker, booking and cancelling over HTTP; the console's forms."""

from datetime import date, time, timedelta

import pytest

from app.appointments.models import Appointment, AppointmentStatus, Availability, SessionType
from app.appointments.slots import free_slots
from app.core.db import utcnow
from app.core.i18n import local
from app.extensions import db
from app.schedule.queries import local_today
from app.studios.models import Role
from tests.appointments.helpers import coach_with_hours, session_type
from tests.conftest import login
from tests.factories import StudioFactory, UserFactory, staff
from tests.pages import Page

HX = {"HX-Request": "true"}


@pytest.fixture
def world():
    studio = StudioFactory(cancel_cutoff_minutes=60)
    coach = coach_with_hours(studio, starts=time(6), ends=time(22))
    st = session_type(studio)
    tomorrow = local_today("America/Toronto") + timedelta(days=1)
    slot = free_slots(studio, coach, st, tomorrow, tomorrow, utcnow())[2]
    return studio, coach, st, tomorrow, slot


def page_url(studio, coach):
    return f"/s/{studio.slug}/coaches/{coach.id}/sessions"


def test_the_picker_page_and_its_fragment(client, world):
    studio, coach, st, day, slot = world
    url = f"{page_url(studio, coach)}?type={st.id}&day={day.isoformat()}"
    page = client.get(url)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in body and 'id="slot-list"' in body
    assert (slot.starts_at.isoformat().replace("+", "%2B") in body
            or slot.starts_at.isoformat() in body)
    fragment = client.get(url, headers=HX)
    text = fragment.get_data(as_text=True)
    assert "<html" not in text and text.lstrip().startswith('<div id="slot-list"')
    assert "HX-Request" in fragment.headers["Vary"]
    chosen = client.get(url + f"&slot={slot.starts_at.isoformat().replace('+', '%2B')}", headers=HX)
    assert "Confirm booking" not in chosen.get_data(as_text=True)  # anonymous: sign in first
    assert "Sign in to book" in chosen.get_data(as_text=True)


def test_booking_page_303_then_my_bookings_lists_it(client, world):
    studio, coach, st, day, slot = world
    customer = UserFactory()
    login(client, customer)
    response = client.post(page_url(studio, coach), data={
        "type": st.id, "slot": slot.starts_at.isoformat(), "day": day.isoformat()})
    assert response.status_code == 303
    appt = db.session.query(Appointment).filter_by(customer_id=customer.id).one()
    assert response.headers["Location"].endswith(f"/s/{studio.slug}/sessions/{appt.id}")
    mine = client.get("/me/bookings").get_data(as_text=True)
    assert "Personal training" in mine and f"/sessions/{appt.id}" in mine
    # Someone else tries the same slot: the fragment says it is taken, with 409.
    login(client, UserFactory())
    taken = client.post(page_url(studio, coach), headers=HX, data={
        "type": st.id, "slot": slot.starts_at.isoformat(), "day": day.isoformat()})
    assert taken.status_code == 409 and "someone has just booked" in taken.get_data(as_text=True)


def test_booking_with_htmx_answers_with_the_panel_fragment(client, world):
    studio, coach, st, day, slot = world
    login(client, UserFactory())
    response = client.post(page_url(studio, coach), headers=HX, data={
        "type": st.id, "slot": slot.starts_at.isoformat(), "day": day.isoformat()})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert 'id="appointment-panel"' in body and "Your session is booked." in body


def test_an_unoffered_time_is_422_in_arabic_too(client, world):
    studio, coach, st, day, slot = world
    login(client, UserFactory(locale="ar"))
    response = client.post(page_url(studio, coach), headers=HX, data={
        "type": st.id, "slot": (slot.starts_at + timedelta(minutes=5)).isoformat(),
        "day": day.isoformat()})
    assert response.status_code == 422
    assert "هذا الوقت غير متاح للحجز" in response.get_data(as_text=True)


def test_anonymous_booking_goes_to_login(client, world):
    studio, coach, st, day, slot = world
    response = client.post(page_url(studio, coach), data={"type": st.id,
                                                          "slot": slot.starts_at.isoformat()})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.query(Appointment).filter_by(coach_id=coach.id).count() == 0


def test_another_studios_coach_or_session_type_is_404(client, world):
    studio, coach, st, day, slot = world
    other = StudioFactory()
    foreign_coach = coach_with_hours(other)
    foreign_type = session_type(other)
    login(client, UserFactory())
    assert client.get(page_url(studio, foreign_coach)).status_code == 404
    assert client.get(f"/s/{other.slug}/coaches/{coach.id}/sessions").status_code == 404
    response = client.post(page_url(studio, coach), data={
        "type": foreign_type.id, "slot": slot.starts_at.isoformat()})
    assert response.status_code == 404


def test_cancel_shows_the_consequence_first_then_cancels(client, world):
    studio, coach, st, day, slot = world
    customer = UserFactory()
    appt = Appointment(studio_id=studio.id, coach_id=coach.id, customer_id=customer.id,
                       session_type_id=st.id, location_id=studio.default_location_id,
                       starts_at=slot.starts_at, ends_at=slot.ends_at)
    db.session.add(appt)
    db.session.flush()
    url = f"/s/{studio.slug}/sessions/{appt.id}"
    login(client, UserFactory())
    assert client.get(url).status_code == 404  # not theirs
    login(client, customer)
    confirm = client.get(url + "?confirm=cancel", headers=HX).get_data(as_text=True)
    assert "free of charge until" in confirm and "Yes, cancel" in confirm
    response = client.post(url + "/cancel")
    assert response.status_code == 303 and response.headers["Location"].endswith(url)
    db.session.expire_all()
    assert db.session.get(Appointment, appt.id).status == AppointmentStatus.CANCELLED
    again = client.post(url + "/cancel", headers=HX)
    assert again.status_code == 409 and "no longer be cancelled" in again.get_data(as_text=True)


def test_console_creates_session_types_hours_and_time_off(client):
    studio = StudioFactory()
    owner = staff(studio, Role.OWNER)
    coach = staff(studio, Role.TRAINER)
    login(client, owner)
    base = f"/manage/{studio.slug}/sessions"
    assert client.get(base).status_code == 200
    bad = client.post(base, data={"name_en": "", "duration_minutes": "0", "price": "x"})
    assert bad.status_code == 422
    ok = client.post(base, data={"name_en": "PT", "name_ar": "تدريب", "duration_minutes": "45",
                                 "buffer_minutes": "10", "price": "60.00", "active": "y"})
    assert ok.status_code == 303
    st = db.session.query(SessionType).filter_by(studio_id=studio.id).one()
    assert ((st.duration_minutes, st.buffer_minutes, st.price_minor, st.currency)
            == (45, 10, 6000, "CAD"))
    hours = f"{base}/coaches/{coach.id}/hours"
    loc = studio.default_location_id
    assert client.post(hours, data={"hours-weekday": "1", "hours-location_id": str(loc),
                                    "hours-starts": "10:00",
                                    "hours-ends": "09:00"}).status_code == 422
    assert client.post(hours, data={"hours-weekday": "1", "hours-location_id": str(loc),
                                    "hours-starts": "07:00",
                                    "hours-ends": "09:00"}).status_code == 303
    window = db.session.query(Availability).filter_by(coach_id=coach.id).one()
    assert (window.weekday, window.starts_at_local, window.on_date) == (1, time(7), None)
    # Extra hours on one Saturday: the date decides the weekday.
    assert client.post(hours, data={"hours-weekday": "1", "hours-location_id": str(loc),
                                    "hours-starts": "10:00", "hours-ends": "12:00",
                                    "hours-on_date": "2099-01-03"}).status_code == 303
    extra = db.session.query(Availability).filter_by(coach_id=coach.id,
                                                     on_date=date(2099, 1, 3)).one()
    assert extra.weekday == 6
    assert "Extra hours on" in Page(client.get(f"{base}/coaches/{coach.id}")).text()
    off = f"{base}/coaches/{coach.id}/time-off"
    assert client.post(off, data={"off-starts": "2026-12-24T00:00",
                                  "off-ends": "2026-12-23T00:00"}).status_code == 422
    assert client.post(off, data={"off-starts": "2026-12-24T00:00", "off-ends": "2026-12-27T00:00",
                                  "off-reason": "Holidays"}).status_code == 303
    customer = UserFactory()
    login(client, customer)
    assert client.get(base).status_code == 404
    assert client.get(f"/manage/{studio.slug}/sessions/coaches/{customer.id}").status_code == 404


def test_the_coachs_today_lists_todays_1_1_sessions_in_the_studio_zone(client):
    studio = StudioFactory(location__timezone="America/Toronto")
    coach, st = coach_with_hours(studio), session_type(studio)
    now = utcnow()
    # Noon today in Toronto, and noon tomorrow: only the first is "today".
    noon = local(now, "America/Toronto").replace(hour=12, minute=0, second=0, microsecond=0)
    for name, start in (("Today Client", noon), ("Tomorrow Client", noon + timedelta(days=1))):
        db.session.add(Appointment(studio_id=studio.id, coach_id=coach.id,
                                   customer_id=UserFactory(name=name).id, session_type_id=st.id,
                                   location_id=studio.default_location_id, starts_at=start,
                                   ends_at=start + timedelta(hours=1)))
    db.session.flush()
    login(client, coach)
    text = Page(client.get("/coach/")).text()
    assert "Today Client" in text and "Tomorrow Client" not in text


def test_console_edits_a_session_type_and_can_stop_its_bookings(client):
    studio, other = StudioFactory(), StudioFactory()
    st, theirs = session_type(studio), session_type(other)
    login(client, staff(studio, Role.OWNER))
    url = f"/manage/{studio.slug}/sessions/types/{st.id}"
    form = Page(client.get(url))
    assert form.one("input[name=price]").get("value") == "60.00"
    assert form.one("input[name=duration_minutes]").get("value") == "60"
    bad = client.post(url, data={"name_en": "", "name_ar": "", "duration_minutes": "60",
                                 "buffer_minutes": "0", "price": "60"})
    assert bad.status_code == 422
    ok = client.post(url, data={"name_en": "Coaching", "duration_minutes": "30",
                                "buffer_minutes": "5", "price": "40.50"})  # "active" unticked
    assert ok.status_code == 303
    db.session.expire_all()
    st = db.session.get(SessionType, st.id)
    assert (st.name, st.duration_minutes, st.buffer_minutes, st.price_minor, st.active) == (
        {"en": "Coaching"}, 30, 5, 4050, False)
    assert client.get(f"/manage/{studio.slug}/sessions/types/{theirs.id}").status_code == 404
