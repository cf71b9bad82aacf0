"""The timetable kept up: editing, ending and extending series, series without an end kept
weeks ahead, one-off classes, editing one class, clashes and notice for changes."""

from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.bookings import services as bookings
from app.bookings import timetable
from app.bookings.errors import CapacityBelowBooked
from app.bookings.models import Booking, BookingStatus
from app.core.db import utcnow
from app.core.mail import read_mailbox
from app.extensions import db
from app.schedule import services
from app.schedule.errors import CoachBusy, RoomBusy
from app.schedule.models import ScheduledClass, Series
from app.schedule.queries import local_start, local_today
from app.studios.models import Role, Room
from tests.factories import ClassFactory, ClassTypeFactory, StudioFactory, UserFactory, staff
from tests.pages import Page

TORONTO = ZoneInfo("America/Toronto")
EVERY_DAY = [1, 2, 3, 4, 5, 6, 7]


def console(studio, path="") -> str:
    return f"/manage/{studio.slug}/{path}"


def errors(response) -> list[str]:
    return [e.text for e in Page(response).all(".field-error")]


def today():
    return local_today("America/Toronto")


def make_series(studio, *, coach=None, days=EVERY_DAY, ends_in=20, start=time(7, 0),
                capacity=10, class_type=None, **extra) -> Series:
    class_type = class_type or ClassTypeFactory(studio=studio, duration_minutes=45)
    return services.create_series(
        studio, class_type=class_type, location=studio.default_location, coach=coach,
        weekdays=days, start_time=start, capacity=capacity,
        starts_on=today() - timedelta(days=7),
        ends_on=None if ends_in is None else today() + timedelta(days=ends_in), **extra)


def classes_of(series) -> list[ScheduledClass]:
    db.session.expire_all()
    return db.session.scalars(select(ScheduledClass).where(ScheduledClass.series_id == series.id)
                              .order_by(ScheduledClass.starts_at)).all()


def local_days(classes) -> list:
    return [c.starts_at.astimezone(TORONTO).date() for c in classes]


def edit_form(series, **overrides) -> dict:
    return {"weekdays": [str(d) for d in series.weekday_list],
            "start_time": series.start_time.strftime("%H:%M"),
            "duration_minutes": str(series.duration_minutes),
            "coach_id": str(series.coach_id or 0), "capacity": str(series.capacity),
            "ends_on": series.ends_on.isoformat() if series.ends_on else "", **overrides}


def book(studio, cls, user=None):
    user = user or UserFactory()
    return bookings.book_class(studio, cls, user, actor=user, staff=True)


# --- editing a series -------------------------------------------------------------------------


def test_a_new_time_moves_future_classes_keeps_bookings_and_tells_the_booked(
        client, studio, admin, jobs, run_jobs):
    coach, sub = (staff(studio, Role.TRAINER, name=n) for n in ("Coach Sam", "Coach Lina"))
    series = make_series(studio, coach=coach)
    before = classes_of(series)
    past = [c for c in before if c.starts_at < utcnow()]
    future = [c for c in before if c.starts_at > utcnow()]
    booked = book(studio, future[2])
    db.session.commit()  # the booking's own confirmation is queued at this commit
    jobs.clear()

    response = client.post(console(studio, f"series/{series.id}"),
                           data=edit_form(series, start_time="18:30", coach_id=str(sub.id)))

    assert response.status_code == 303
    page = Page(client.get(response.headers["Location"]))
    assert "1 booked customer told." in page.text(".flashes")
    after = {c.id: c for c in classes_of(series)}
    assert set(after) == {c.id for c in before}  # updated in place: bookings stay on them
    for cls in past:  # what happened stays as it was
        assert after[cls.id].starts_at.astimezone(TORONTO).time() == time(7, 0)
    for cls in future:
        moved = after[cls.id]
        assert moved.starts_at.astimezone(TORONTO).time() == time(18, 30)
        assert moved.coach_id == sub.id
        assert moved.ends_at - moved.starts_at == timedelta(minutes=45)
    assert db.session.get(Booking, booked.id).status == BookingStatus.CONFIRMED

    run_jobs()
    mail = [m for m in read_mailbox(limit=100) if m["To"] == booked.customer.email]
    assert [m["Subject"] for m in mail] == ["Your class has changed"]
    body = mail[0].get_body(("plain",)).get_content()
    assert "Coach Lina" in body and "6:30" in body


def test_dropping_a_day_removes_unbooked_classes_and_keeps_booked_ones(client, studio, admin):
    series = make_series(studio, days=[1, 3, 5], ends_in=27)
    mondays = [c for c in classes_of(series)
               if c.starts_at > utcnow() and c.starts_at.astimezone(TORONTO).isoweekday() == 1]
    kept, dropped = mondays[0], {c.id for c in mondays[1:]}
    book(studio, kept)

    response = client.post(console(studio, f"series/{series.id}"),
                           data=edit_form(series, weekdays=["3", "5"]))

    assert response.status_code == 303
    flash = Page(client.get(response.headers["Location"])).text(".flashes")
    assert f"{len(mondays) - 1} classes removed." in flash
    assert "1 class with bookings was kept" in flash
    left = {c.id for c in classes_of(series)}
    assert kept.id in left and not (dropped & left)


def test_lowering_capacity_below_a_class_s_bookings_is_refused_with_the_count(
        client, studio, admin):
    series = make_series(studio, capacity=5)
    full = [c for c in classes_of(series) if c.starts_at > utcnow()][1]
    for _ in range(4):
        book(studio, full)

    response = client.post(console(studio, f"series/{series.id}"),
                           data=edit_form(series, capacity="3", start_time="09:00"))

    assert response.status_code == 409
    assert "has 4 spots taken: its capacity can't go below that." in Page(response).text(
        ".alert-error")
    assert {c.capacity for c in classes_of(series)} == {5}
    assert {c.starts_at.astimezone(TORONTO).time() for c in classes_of(series)} == {time(7, 0)}


def test_raising_a_series_capacity_promotes_each_class_s_waitlist(client, studio, admin, jobs):
    series = make_series(studio, capacity=1)
    cls = [c for c in classes_of(series) if c.starts_at > utcnow()][0]
    first, waiting = book(studio, cls), book(studio, cls)
    assert waiting.status == BookingStatus.WAITLISTED

    response = client.post(console(studio, f"series/{series.id}"),
                           data=edit_form(series, capacity="2"))

    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Booking, waiting.id).status != BookingStatus.WAITLISTED
    assert db.session.get(Booking, first.id).status == BookingStatus.CONFIRMED


def test_blank_duration_takes_the_class_type_s(client, studio, admin):
    ct = ClassTypeFactory(studio=studio, duration_minutes=75)
    response = client.post(console(studio, "series"), data={
        "class_type_id": str(ct.id), "location_id": str(studio.default_location_id),
        "coach_id": "0", "weekdays": ["2"], "start_time": "10:00", "duration_minutes": "",
        "capacity": "8", "starts_on": today().isoformat(), "ends_on": ""})
    assert response.status_code == 303
    series = db.session.scalar(select(Series).where(Series.studio_id == studio.id))
    assert series.duration_minutes == 75 and series.ends_on is None
    classes = classes_of(series)
    assert {c.ends_at - c.starts_at for c in classes} == {timedelta(minutes=75)}
    assert 7 <= len(classes) <= 9  # eight weeks ahead (SERIES_WEEKS_AHEAD), no end


@pytest.mark.parametrize("overrides, message", [
    ({"weekdays": []}, "Choose at least one day."),
    ({"capacity": "0"}, "Number must be between 1 and 500."),
    ({"start_time": "7am"}, "Not a valid time value."),
    ({"duration_minutes": "2"}, "Number must be between 5 and 600."),
    ({"coach_id": "{foreign_coach}"}, "Not a valid choice."),
    ({"ends_on": "3000-01-01"}, "Enter a date between 2000 and 2100."),
])
def test_bad_series_edit_is_422_and_changes_nothing(client, studio, admin, overrides, message):
    series = make_series(studio)
    foreign = staff(StudioFactory(), Role.TRAINER)
    data = edit_form(series, **{k: v.format(foreign_coach=foreign.id) if isinstance(v, str)
                                else v for k, v in overrides.items()})
    before = [(c.id, c.starts_at, c.capacity, c.coach_id) for c in classes_of(series)]

    response = client.post(console(studio, f"series/{series.id}"), data=data)

    assert response.status_code == 422
    assert any(message in e for e in errors(response)), errors(response)
    assert [(c.id, c.starts_at, c.capacity, c.coach_id) for c in classes_of(series)] == before


# --- ending and extending ---------------------------------------------------------------------


def test_ending_a_series_removes_later_classes_nobody_booked(client, studio, admin):
    series = make_series(studio, ends_in=None)
    later = [c for c in classes_of(series) if local_days([c])[0] > today() + timedelta(days=3)]
    booked = later[-1]
    book(studio, booked)

    response = client.post(console(studio, f"series/{series.id}/end"),
                           data={"last_day": (today() + timedelta(days=3)).isoformat()})

    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Series, series.id).ends_on == today() + timedelta(days=3)
    left = classes_of(series)
    assert max(local_days([c for c in left if c.id != booked.id])) == today() + timedelta(days=3)
    assert booked.id in {c.id for c in left}
    assert services.extend_open_series() == 0  # an ended series is not extended


def test_ending_before_the_first_day_is_422(client, studio, admin):
    series = make_series(studio)
    response = client.post(console(studio, f"series/{series.id}/end"),
                           data={"last_day": (today() - timedelta(days=30)).isoformat()})
    assert response.status_code == 422
    assert "The last day must not be before the first day." in errors(response)
    assert len(classes_of(series)) == 28


def test_extending_a_series_adds_classes_up_to_its_new_last_day(client, studio, admin):
    series = make_series(studio, days=[2], ends_in=6)
    count = len(classes_of(series))
    response = client.post(console(studio, f"series/{series.id}"),
                           data=edit_form(series, ends_on=(today() + timedelta(days=34))
                                          .isoformat()))
    assert response.status_code == 303
    assert len(classes_of(series)) == count + 4


def test_series_without_an_end_are_kept_weeks_ahead_by_the_job(app, studio):
    series = make_series(studio, days=[4], ends_in=None)
    assert len(classes_of(series)) in (9, 10)  # last week and eight ahead
    assert services.extend_open_series() == 0  # nothing due yet

    later = utcnow() + timedelta(weeks=3)
    made = services.extend_open_series(now=later)
    again = services.extend_open_series(now=later)

    assert made == 3 and again == 0  # once: safe to run twice
    days = local_days(classes_of(series))
    assert max(days) > later.astimezone(TORONTO).date() + timedelta(weeks=8) - timedelta(days=7)
    assert len(days) == len(set(days))


def test_the_scheduled_job_extends_and_reschedules_itself(app, studio, monkeypatch):
    from workers.jobs import schedule

    make_series(studio, days=[4], ends_in=None)
    queued = []
    monkeypatch.setattr(schedule, "get_queue", lambda name: type(
        "Q", (), {"enqueue_in": lambda self, delay, func, job_id: queued.append(
            (delay, func, job_id))})())
    assert schedule.run_and_reschedule() == 0
    assert queued == [(timedelta(hours=6), "workers.jobs.schedule.run_and_reschedule",
                       "extend-series")]


# --- one-off classes --------------------------------------------------------------------------


def one_off(studio, class_type, **overrides) -> dict:
    return {"class_type_id": str(class_type.id), "location_id": str(studio.default_location_id),
            "coach_id": "0", "day": (today() + timedelta(days=5)).isoformat(),
            "start_time": "11:00", "duration_minutes": "", "capacity": "30", **overrides}


def test_admin_puts_a_one_off_event_on_the_schedule(client, studio, admin):
    ct = ClassTypeFactory(studio=studio, duration_minutes=120)
    response = client.post(console(studio, "classes/new"), data=one_off(studio, ct))
    assert response.status_code == 303
    cls = db.session.scalar(select(ScheduledClass).where(ScheduledClass.studio_id == studio.id))
    assert cls.series_id is None and cls.capacity == 30
    assert cls.starts_at.astimezone(TORONTO).time() == time(11, 0)
    assert cls.ends_at - cls.starts_at == timedelta(hours=2)
    assert response.headers["Location"].endswith(f"/classes/{cls.id}")


@pytest.mark.parametrize("overrides, message", [
    ({"day": ""}, "This field is required."),
    ({"day": "someday"}, "Not a valid date value."),
    ({"capacity": "501"}, "Number must be between 1 and 500."),
    ({"class_type_id": "{foreign}"}, "Not a valid choice."),
])
def test_bad_one_off_is_422_and_makes_nothing(client, studio, admin, overrides, message):
    ct = ClassTypeFactory(studio=studio)
    foreign = ClassTypeFactory(studio=StudioFactory())
    data = one_off(studio, ct, **{k: v.format(foreign=foreign.id) for k, v in overrides.items()})
    response = client.post(console(studio, "classes/new"), data=data)
    assert response.status_code == 422
    assert message in errors(response)
    assert db.session.scalar(select(func.count()).select_from(ScheduledClass)
                             .where(ScheduledClass.studio_id == studio.id)) == 0


def test_a_coach_can_t_teach_two_classes_at_once(client, studio, admin):
    coach = staff(studio, Role.TRAINER, name="Coach Sam")
    ct = ClassTypeFactory(studio=studio, name={"en": "Spin"})
    day = today() + timedelta(days=5)
    taught = ClassFactory(studio=studio, class_type_id=ct.id, coach_id=coach.id,
                          starts_at=local_start(day, time(10, 30), "America/Toronto"))
    other = ClassTypeFactory(studio=studio)

    response = client.post(console(studio, "classes/new"),
                           data=one_off(studio, other, coach_id=str(coach.id)))

    assert response.status_code == 409
    alert = Page(response).text(".alert-error")
    assert "Coach Sam already teaches Spin on" in alert and "10:30" in alert
    assert db.session.scalar(select(func.count()).select_from(ScheduledClass)
                             .where(ScheduledClass.studio_id == studio.id)) == 1
    assert db.session.get(ScheduledClass, taught.id).coach_id == coach.id


def test_a_room_can_t_hold_two_classes_at_once(app, studio):
    room = Room(studio_id=studio.id, location_id=studio.default_location_id,
                name={"en": "Loft"}, capacity=20)
    db.session.add(room)
    db.session.flush()
    ct = ClassTypeFactory(studio=studio, name={"en": "Yoga"})
    start = utcnow() + timedelta(days=2)
    services.create_class(studio, class_type=ct, location=studio.default_location, room=room,
                          starts_at=start, capacity=5)
    with pytest.raises(RoomBusy) as refused:
        services.create_class(studio, class_type=ct, location=studio.default_location,
                              room=room, starts_at=start + timedelta(minutes=30), capacity=5)
    assert "Loft already holds Yoga on" in str(refused.value)
    # Back to back is fine.
    services.create_class(studio, class_type=ct, location=studio.default_location, room=room,
                          starts_at=start + timedelta(minutes=60), capacity=5)


def test_a_series_whose_coach_is_busy_is_refused_naming_the_clash(app, studio):
    coach = staff(studio, Role.TRAINER, name="Coach Sam")
    ct = ClassTypeFactory(studio=studio, name={"en": "Boxing"})
    series = make_series(studio, days=[2], start=time(7, 0))
    busy = [c for c in classes_of(series) if c.starts_at > utcnow()][1]
    ClassFactory(studio=studio, class_type_id=ct.id, coach_id=coach.id,
                 starts_at=busy.starts_at + timedelta(minutes=15))
    with pytest.raises(CoachBusy) as refused:
        timetable.change_series(studio, series, actor=coach, coach_id=coach.id)
    assert str(refused.value).startswith("Coach Sam already teaches Boxing on")


# --- one class --------------------------------------------------------------------------------


def class_form(cls, **overrides) -> dict:
    start = cls.starts_at.astimezone(TORONTO)
    return {"coach_id": str(cls.coach_id or 0), "day": start.date().isoformat(),
            "start_time": start.strftime("%H:%M"),
            "duration_minutes": str(int((cls.ends_at - cls.starts_at).total_seconds() // 60)),
            "capacity": str(cls.capacity), **overrides}


def test_a_substitute_coach_is_emailed_to_everyone_booked(client, studio, admin, jobs, run_jobs):
    coach, sub = (staff(studio, Role.TRAINER, name=n) for n in ("Coach Sam", "Coach Lina"))
    cls = ClassFactory(studio=studio, coach_id=coach.id, capacity=1, hours_ahead=3)
    booked, waiting = book(studio, cls), book(studio, cls)
    other = book(studio, ClassFactory(studio=studio, hours_ahead=5))
    jobs.clear()

    response = client.post(console(studio, f"classes/{cls.id}/edit"),
                           data=class_form(cls, coach_id=str(sub.id)))

    assert response.status_code == 303
    assert "2 booked customers told." in Page(
        client.get(response.headers["Location"])).text(".flashes")
    db.session.expire_all()
    assert db.session.get(ScheduledClass, cls.id).coach_id == sub.id
    run_jobs()
    run_jobs()  # a second run sends nothing twice
    ours = {booked.customer.email, waiting.customer.email, other.customer.email}
    told = [m["To"] for m in read_mailbox(limit=200)
            if m["Subject"] == "Your class has changed" and m["To"] in ours]
    assert sorted(told) == sorted([booked.customer.email, waiting.customer.email])  # once each


def test_raising_one_class_s_capacity_promotes_the_waitlist_at_once(client, studio, admin, jobs):
    cls = ClassFactory(studio=studio, capacity=1)
    book(studio, cls)
    waiting = [book(studio, cls) for _ in range(3)]

    response = client.post(console(studio, f"classes/{cls.id}/edit"),
                           data=class_form(cls, capacity="3"))

    assert response.status_code == 303
    db.session.expire_all()
    assert [db.session.get(Booking, b.id).status for b in waiting] == [
        BookingStatus.CONFIRMED, BookingStatus.CONFIRMED, BookingStatus.WAITLISTED]
    assert [j[0] for j in jobs].count("workers.jobs.notifications.send_promoted") == 2
    assert not any(j[0].endswith("send_class_changed") for j in jobs)  # only the size changed


def test_lowering_one_class_below_its_bookings_is_refused_with_the_count(client, studio, admin):
    cls = ClassFactory(studio=studio, capacity=6)
    for _ in range(4):
        book(studio, cls)

    response = client.post(console(studio, f"classes/{cls.id}/edit"),
                           data=class_form(cls, capacity="2"))

    assert response.status_code == 409
    assert "has 4 spots taken: its capacity can't go below that." in Page(response).text(
        ".alert-error")
    db.session.expire_all()
    assert db.session.get(ScheduledClass, cls.id).capacity == 6


def test_a_class_type_s_notice_stops_late_moves_but_not_a_substitute(client, studio, admin):
    ct = ClassTypeFactory(studio=studio, name={"en": "Spin"}, change_notice_hours=48)
    coach, sub = staff(studio, Role.TRAINER), staff(studio, Role.TRAINER)
    cls = ClassFactory(studio=studio, class_type_id=ct.id, coach_id=coach.id, hours_ahead=24)
    late = (cls.starts_at + timedelta(hours=2)).astimezone(TORONTO).strftime("%H:%M")

    moved = client.post(console(studio, f"classes/{cls.id}/edit"),
                        data=class_form(cls, start_time=late))
    assert moved.status_code == 409
    assert "Spin needs 48 hours' notice before its time or place changes." in Page(
        moved).text(".alert-error")

    substituted = client.post(console(studio, f"classes/{cls.id}/edit"),
                              data=class_form(cls, coach_id=str(sub.id)))
    assert substituted.status_code == 303
    db.session.expire_all()
    changed = db.session.get(ScheduledClass, cls.id)
    assert (changed.coach_id, changed.starts_at) == (sub.id, cls.starts_at)


@pytest.mark.parametrize("overrides, message", [
    ({"capacity": "x"}, "Not a valid integer value."),
    ({"duration_minutes": "0"}, "Number must be between 5 and 600."),
    ({"day": "2300-01-01"}, "Enter a date between 2000 and 2100."),
    ({"coach_id": "999999999"}, "Not a valid choice."),
])
def test_bad_class_edit_is_422_and_changes_nothing(client, studio, admin, overrides, message):
    cls = ClassFactory(studio=studio)
    response = client.post(console(studio, f"classes/{cls.id}/edit"),
                           data=class_form(cls, **overrides))
    assert response.status_code == 422
    assert message in errors(response)
    db.session.expire_all()
    same = db.session.get(ScheduledClass, cls.id)
    assert (same.capacity, same.starts_at, same.coach_id) == (cls.capacity, cls.starts_at, None)


def test_arabic_refusal_is_translated(client, studio, admin):
    cls = ClassFactory(studio=studio, capacity=6)
    for _ in range(4):
        book(studio, cls)
    response = client.post(console(studio, f"classes/{cls.id}/edit") + "?lang=ar",
                           data=class_form(cls, capacity="2"))
    assert response.status_code == 409
    text = Page(response).text(".alert-error")
    assert "4" in text and "capacity" not in text


def test_change_class_service_refuses_below_booked(app, studio):
    cls = ClassFactory(studio=studio, capacity=3)
    for _ in range(3):
        book(studio, cls)
    with pytest.raises(CapacityBelowBooked):
        timetable.change_class(studio, cls, actor=None, starts_at=cls.starts_at,
                               duration_minutes=60, coach_id=None, capacity=2)
