"""Rooms on the timetable: a series, a one-off class and one class edited are placed in a
room of their location, never one too small, archived or elsewhere; a room holds one class at
a time; the people booked are told when their class moves room, and customers see where."""

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from app.core.db import utcnow
from app.core.mail import read_mailbox
from app.extensions import db
from app.schedule.models import ScheduledClass, Series
from app.schedule.queries import local_start
from tests.factories import (
    ClassFactory,
    ClassTypeFactory,
    LocationFactory,
    RoomFactory,
    StudioFactory,
    UserFactory,
)
from tests.pages import Page
from tests.schedule.test_timetable import book, class_form, console, errors, one_off, today


@pytest.fixture
def loft(studio):
    return RoomFactory(location=studio.default_location, name={"en": "Loft", "ar": "العلية"},
                       capacity=12)


def classes_of(studio) -> list[ScheduledClass]:
    return db.session.scalars(select(ScheduledClass).where(ScheduledClass.studio_id == studio.id)
                              .order_by(ScheduledClass.starts_at)).all()


def series_form(studio, class_type, **overrides) -> dict:
    start = today() + timedelta(days=1)
    return {"class_type_id": str(class_type.id), "location_id": str(studio.default_location_id),
            "coach_id": "0", "room_id": "0", "weekdays": [str(start.isoweekday())],
            "start_time": "07:00", "duration_minutes": "60", "capacity": "10",
            "starts_on": start.isoformat(), "ends_on": (start + timedelta(days=13)).isoformat(),
            **overrides}


def test_the_series_form_offers_the_rooms_of_live_locations(client, studio, admin, loft):
    RoomFactory(location=studio.default_location, name={"en": "Old hall"},
                archived_at=utcnow())
    ClassTypeFactory(studio=studio)
    page = Page(client.get(console(studio, "series")))
    offered = [o.text for o in page.all("select[name=room_id] option")]
    assert offered[0] == "No room" and any(o.endswith("· Loft") for o in offered)
    assert not any("Old hall" in o for o in offered)


def test_a_series_in_a_room_places_its_classes_there_and_customers_see_it(
        client, studio, admin, loft):
    ct = ClassTypeFactory(studio=studio)
    response = client.post(console(studio, "series"),
                           data=series_form(studio, ct, room_id=str(loft.id)))
    assert response.status_code == 303
    classes = classes_of(studio)
    assert len(classes) == 2 and {c.room_id for c in classes} == {loft.id}
    assert db.session.scalar(select(Series.room_id).where(Series.studio_id == studio.id)) == \
        loft.id
    shown = Page(client.get(f"/s/{studio.slug}/classes/{classes[0].id}")).text("dl")
    assert "Loft" in shown


@pytest.mark.parametrize("room, capacity, message", [
    ("elsewhere", "10", "Choose a room of the class's location."),
    ("loft", "13", "This room holds 12 people: lower the capacity or choose a bigger room."),
    ("foreign", "10", "Not a valid choice."),
])
def test_a_room_elsewhere_too_small_or_foreign_is_422_and_makes_nothing(
        client, studio, admin, loft, room, capacity, message):
    rooms = {"loft": loft,
             "elsewhere": RoomFactory(location=LocationFactory(studio=studio), capacity=50),
             "foreign": RoomFactory(location=StudioFactory().default_location, capacity=50)}
    ct = ClassTypeFactory(studio=studio)
    response = client.post(console(studio, "series"), data=series_form(
        studio, ct, room_id=str(rooms[room].id), capacity=capacity))
    assert response.status_code == 422
    assert message in errors(response)
    assert classes_of(studio) == []
    response = client.post(console(studio, "classes/new"), data=one_off(
        studio, ct, room_id=str(rooms[room].id), capacity=capacity))
    assert response.status_code == 422 and message in errors(response)
    assert classes_of(studio) == []


def test_a_one_off_in_a_busy_room_is_409_naming_the_room(client, studio, admin, loft):
    yoga = ClassTypeFactory(studio=studio, name={"en": "Yoga"})
    day = today() + timedelta(days=5)
    ClassFactory(studio=studio, class_type_id=yoga.id, room_id=loft.id,
                 starts_at=local_start(day, time(10, 30), "America/Toronto"))
    response = client.post(console(studio, "classes/new"),
                           data=one_off(studio, ClassTypeFactory(studio=studio),
                                        room_id=str(loft.id), capacity="10"))
    assert response.status_code == 409
    assert "Loft already holds Yoga on" in Page(response).text(".alert-error")
    assert db.session.scalar(select(func.count()).select_from(ScheduledClass)
                             .where(ScheduledClass.room_id == loft.id)) == 1


def test_moving_one_class_to_another_room_tells_the_booked(client, studio, admin, loft,
                                                           jobs, run_jobs):
    studio_b = RoomFactory(location=studio.default_location, name={"en": "Studio B"},
                           capacity=20)
    cls = ClassFactory(studio=studio, room_id=loft.id, capacity=5, hours_ahead=30)
    booked = book(studio, cls, UserFactory())
    jobs.clear()
    response = client.post(console(studio, f"classes/{cls.id}/edit"),
                           data=class_form(cls, room_id=str(studio_b.id)))
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(ScheduledClass, cls.id).room_id == studio_b.id
    run_jobs()
    told = [m for m in read_mailbox(limit=200)
            if m["To"] == booked.customer.email and m["Subject"] == "Your class has changed"]
    assert len(told) == 1 and "Studio B" in told[0].get_body(("plain",)).get_content()


def test_a_class_edit_into_a_busy_room_is_409_and_keeps_the_room(client, studio, admin, loft):
    other = RoomFactory(location=studio.default_location, name={"en": "Studio B"},
                        capacity=20)
    cls = ClassFactory(studio=studio, room_id=loft.id, hours_ahead=30)
    ClassFactory(studio=studio, room_id=other.id, starts_at=cls.starts_at)
    response = client.post(console(studio, f"classes/{cls.id}/edit"),
                           data=class_form(cls, room_id=str(other.id)))
    assert response.status_code == 409
    assert "Studio B already holds" in Page(response).text(".alert-error")
    db.session.expire_all()
    assert db.session.get(ScheduledClass, cls.id).room_id == loft.id


def test_a_series_edit_moves_its_future_classes_to_the_room(client, studio, admin, loft):
    ct = ClassTypeFactory(studio=studio)
    assert client.post(console(studio, "series"),
                       data=series_form(studio, ct)).status_code == 303
    series = db.session.scalar(select(Series).where(Series.studio_id == studio.id))
    form = {"coach_id": "0", "room_id": str(loft.id),
            "weekdays": [str(d) for d in series.weekday_list], "start_time": "07:00",
            "duration_minutes": "60", "capacity": "10",
            "ends_on": series.ends_on.isoformat()}
    response = client.post(console(studio, f"series/{series.id}"), data=form)
    assert response.status_code == 303
    db.session.expire_all()
    assert {c.room_id for c in classes_of(studio)} == {loft.id}
