"""The studio console: class types, series on local wall-clock time, booking settings,
cancelling a class, and who may open the console at all."""

from collections import Counter
from datetime import date, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.bookings import services
from app.bookings.models import Booking, BookingStatus, CancelReason
from app.core.mail import read_mailbox
from app.extensions import db
from app.schedule.models import ClassType, ScheduledClass, Series
from app.studios.models import Role, Studio
from tests.conftest import login
from tests.factories import (
    ClassFactory,
    ClassTypeFactory,
    StudioFactory,
    UserFactory,
    paid_order,
    staff,
)
from tests.pages import Page, text_of
from tests.routes import build, console_rules
from tests.world import weekly_series

TORONTO = ZoneInfo("America/Toronto")


def console(studio, path="") -> str:
    return f"/manage/{studio.slug}/{path}"


def count(model, studio) -> int:
    return db.session.scalar(select(func.count()).select_from(model)
                             .where(model.studio_id == studio.id))


def errors(response) -> list[str]:
    return [e.text for e in Page(response).all(".field-error")]


# --- class types ------------------------------------------------------------------------------


def test_admin_creates_a_class_type(client, studio, admin):
    response = client.post(console(studio, "class-types"), data={
        "name_en": "Spin", "name_ar": "دراجات", "description_en": "Ride.",
        "duration_minutes": "45", "color": "#123456"})

    assert response.status_code == 303
    page = Page(client.get(response.headers["Location"]))
    assert "Class type saved." in page.text(".flashes")
    assert "Spin" in page.text(".link-list") and "دراجات" in page.text(".link-list")
    ct = db.session.scalar(select(ClassType).where(ClassType.studio_id == studio.id))
    assert (ct.name, ct.description, ct.duration_minutes, ct.color) == (
        {"en": "Spin", "ar": "دراجات"}, {"en": "Ride."}, 45, "#123456")


@pytest.mark.parametrize("data, message", [
    ({"name_en": "", "name_ar": "  "}, "Give the class type a name in at least one language."),
    ({"color": "red"}, "Invalid input."),
    ({"duration_minutes": "0"}, "Number must be between 5 and 600."),
    ({"duration_minutes": "lots"}, "Not a valid integer value."),
])
def test_bad_class_type_is_422_and_saves_nothing(client, studio, admin, data, message):
    form = {"name_en": "Spin", "duration_minutes": "45", "color": "#123456", **data}

    response = client.post(console(studio, "class-types"), data=form)

    assert response.status_code == 422
    assert message in errors(response)
    assert count(ClassType, studio) == 0


def test_admin_renames_a_class_type(client, studio, admin):
    ct = ClassTypeFactory(studio=studio)
    response = client.post(console(studio, f"class-types/{ct.id}"), data={
        "name_en": "Power", "name_ar": "", "duration_minutes": "50", "color": "#abcdef"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(ClassType, ct.id).name == {"en": "Power"}


# --- series -----------------------------------------------------------------------------------


def series_form(studio, class_type, **overrides) -> dict:
    return {"class_type_id": str(class_type.id), "location_id": str(studio.default_location_id),
            "coach_id": "0", "weekdays": ["1", "3"], "start_time": "07:00",
            "duration_minutes": "60", "capacity": "10", "starts_on": "2026-10-26",
            "ends_on": "2026-11-08", **overrides}


def test_series_makes_classes_at_local_wall_clock_time_across_dst(client, studio, admin):
    """Toronto leaves daylight time on 2026-11-01: 07:00 stays 07:00, UTC moves by an hour."""
    ct = ClassTypeFactory(studio=studio)
    coach = staff(studio, Role.TRAINER, name="Coach Sam")

    response = client.post(console(studio, "series"),
                           data=series_form(studio, ct, coach_id=str(coach.id)))

    assert response.status_code == 303
    classes = db.session.scalars(select(ScheduledClass).where(ScheduledClass.studio_id == studio.id)
                                 .order_by(ScheduledClass.starts_at)).all()
    local = [c.starts_at.astimezone(TORONTO) for c in classes]
    assert [d.date() for d in local] == [date(2026, 10, 26), date(2026, 10, 28),
                                         date(2026, 11, 2), date(2026, 11, 4)]
    assert {d.time() for d in local} == {time(7, 0)}
    assert [c.starts_at.hour for c in classes] == [11, 11, 12, 12]  # EDT, then EST (UTC)
    assert all((c.ends_at - c.starts_at).total_seconds() == 3600 for c in classes)
    assert {(c.capacity, c.coach_id, c.class_type_id) for c in classes} == {(10, coach.id, ct.id)}
    page = Page(client.get(response.headers["Location"]))
    row = page.text("table tbody tr")
    assert all(word in row for word in ("Monday", "Wednesday", "07:00", "Coach Sam"))
    assert "Tuesday" not in row


@pytest.mark.parametrize("overrides, message", [
    ({"weekdays": []}, "Choose at least one day."),
    ({"ends_on": "2026-10-01"}, "The last day must not be before the first day."),
    ({"ends_on": "2028-01-01"}, "A series can cover at most one year."),
    ({"capacity": "-3"}, "Number must be between 1 and 500."),
    ({"start_time": "25:00"}, "Not a valid time value."),
    ({"class_type_id": "{foreign_type}"}, "Not a valid choice."),
    ({"location_id": "{foreign_location}"}, "Not a valid choice."),
    ({"class_type_id": "abc"}, "Invalid Choice: could not coerce."),
])
def test_bad_series_is_422_and_makes_no_classes(client, studio, admin, overrides, message):
    ct = ClassTypeFactory(studio=studio)
    other = StudioFactory()
    ids = {"foreign_type": ClassTypeFactory(studio=other).id,
           "foreign_location": other.default_location_id}
    form = series_form(studio, ct, **{k: v.format(**ids) if isinstance(v, str) else v
                                      for k, v in overrides.items()})

    response = client.post(console(studio, "series"), data=form)

    assert response.status_code == 422
    assert message in errors(response)
    assert count(Series, studio) == 0 and count(ScheduledClass, studio) == 0


# --- booking settings -------------------------------------------------------------------------


SETTINGS = {"booking_opens_days": "7", "booking_closes_minutes": "30",
            "cancel_cutoff_minutes": "120", "waitlist_mode": "claim",
            "offer_hold_minutes": "15", "default_language": "ar", "load_unit": "lb",
            "load_increment": "5", "first_weekday": "7"}


def test_admin_saves_booking_settings(client, studio, admin):
    response = client.post(console(studio, "settings"), data=SETTINGS)
    assert response.status_code == 303
    db.session.expire_all()
    s = db.session.get(Studio, studio.id)
    assert (s.booking_opens_days, s.booking_closes_minutes, s.cancel_cutoff_minutes,
            s.waitlist_mode, s.offer_hold_minutes, s.default_language, s.load_unit,
            s.load_increment, s.first_weekday) == (7, 30, 120, "claim", 15, "ar", "lb", 5, 7)


@pytest.mark.parametrize("field, value, message", [
    ("booking_opens_days", "-1", "Number must be between 0 and 365."),
    ("booking_closes_minutes", "-30", "Number must be between 0 and 1440."),
    ("cancel_cutoff_minutes", "-5", "Number must be between 0 and 10080."),
    ("offer_hold_minutes", "-10", "Number must be between 5 and 1440."),
    ("booking_opens_days", "soon", "Not a valid integer value."),
    ("booking_opens_days", "", "This field is required."),
    ("waitlist_mode", "lottery", "Not a valid choice."),
    ("load_unit", "stone", "Not a valid choice."),
    ("first_weekday", "3", "Not a valid choice."),
    ("load_increment", "0", "Number must be between 0.25 and 50."),
    ("load_increment", "NaN", "Number must be between 0.25 and 50."),
    ("load_increment", "a bit", "Not a valid decimal value."),
])
def test_bad_booking_settings_are_422_and_change_nothing(client, studio, admin, field, value,
                                                         message):
    before = (studio.booking_opens_days, studio.booking_closes_minutes,
              studio.cancel_cutoff_minutes, studio.offer_hold_minutes, studio.waitlist_mode)

    response = client.post(console(studio, "settings"), data={**SETTINGS, field: value})

    assert response.status_code == 422
    assert message in [e.text for e in Page(response).all(f"#{field}-error .field-error")]
    db.session.expire_all()
    s = db.session.get(Studio, studio.id)
    assert (s.booking_opens_days, s.booking_closes_minutes, s.cancel_cutoff_minutes,
            s.offer_hold_minutes, s.waitlist_mode) == before


# --- cancelling a class -----------------------------------------------------------------------


def test_cancelling_a_class_cancels_bookings_and_tells_each_customer_once(client, studio, admin,
                                                                         jobs, run_jobs):
    cls = ClassFactory(studio=studio, capacity=2)
    booked = [UserFactory(), UserFactory()]
    waiting, gone = UserFactory(), UserFactory()
    for user in (*booked, waiting):
        services.book_class(studio, cls, user, actor=user)
    left = services.book_class(studio, ClassFactory(studio=studio), gone, actor=gone)
    services.cancel_booking(studio, left, actor=gone)
    db.session.commit()  # the bookings' own e-mails are queued at this commit, not counted
    jobs.clear()

    response = client.post(console(studio, f"classes/{cls.id}/cancel"))

    assert response.status_code == 303
    page = Page(client.get(response.headers["Location"]))
    assert "The class is cancelled and everyone booked has been told." in page.text(".flashes")
    assert "Cancelled" in page.text(".page-head")
    db.session.expire_all()
    assert db.session.get(ScheduledClass, cls.id).is_cancelled
    bookings = db.session.scalars(select(Booking).where(Booking.class_id == cls.id)).all()
    assert {(b.status, b.cancel_reason) for b in bookings} == {
        (BookingStatus.CANCELLED, CancelReason.CLASS_CANCELLED)}
    sent = Counter(j[1][0] for j in jobs
                   if j[0] == "workers.jobs.notifications.send_class_cancelled")
    assert sent == Counter(b.id for b in bookings)  # one each, nobody twice
    assert len(sent) == 3

    run_jobs()
    inboxes = {m["To"] for m in read_mailbox(limit=200)}
    assert {u.email for u in (*booked, waiting)} <= inboxes
    assert gone.email not in inboxes

    # Cancelling again tells the admin and sends nothing.
    again = client.post(console(studio, f"classes/{cls.id}/cancel"))
    assert again.status_code == 303
    assert "This class is already cancelled." in Page(
        client.get(again.headers["Location"])).text(".flashes")
    assert jobs == []


def test_a_class_that_started_cannot_be_cancelled(client, studio, admin, jobs):
    cls = ClassFactory(studio=studio, hours_ahead=-0.25)
    response = client.post(console(studio, f"classes/{cls.id}/cancel"))
    assert response.status_code == 303
    assert "A class that has already started cannot be cancelled." in Page(
        client.get(response.headers["Location"])).text(".flashes")
    db.session.expire_all()
    assert not db.session.get(ScheduledClass, cls.id).is_cancelled
    assert jobs == []


# --- who may open the console -----------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.TRAINER, Role.TRAINER_ADMIN, None])
def test_trainers_and_customers_get_404_in_the_console(app, client, studio, role):
    user = staff(studio, role) if role else UserFactory()
    ct = ClassTypeFactory(studio=studio)
    cls = ClassFactory(studio=studio, class_type_id=ct.id, coach_id=user.id)
    order, payment, invoice = paid_order(studio, UserFactory(), rendered=True)
    booking = services.book_class(studio, cls, UserFactory(), actor=user)
    login(client, user)
    values = {"studio": studio.slug, "class_id": cls.id, "type_id": ct.id,
              "booking_id": booking.id, "plan_id": order.plan_id, "order_id": order.id,
              "payment_id": payment.id, "invoice_id": invoice.id,
              "series_id": weekly_series(studio, ct).id}

    for rule in console_rules(app, "GET") + console_rules(app, "POST"):
        if role == Role.TRAINER_ADMIN and rule.endpoint.startswith("studios_staff."):
            continue  # they manage their trainers there (tests/studios/test_staff.py)
        path = build(rule, values)
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(path, method=method, data=SETTINGS)
            assert response.status_code == 404, (method, path)

    db.session.expire_all()
    assert db.session.get(Studio, studio.id).booking_opens_days == studio.booking_opens_days
    assert not db.session.get(ScheduledClass, cls.id).is_cancelled


def test_anonymous_console_visit_goes_to_sign_in(client, studio):
    response = client.get(console(studio))
    assert response.status_code in (302, 303)
    assert response.headers["Location"].split("?")[0].endswith("/login")


def test_unknown_studio_console_is_404(client, admin):
    assert client.get("/manage/no-such-studio/").status_code == 404


@pytest.mark.parametrize("who, status", [
    ("customer", 404), ("studio_owner", 404), ("trainer", 404), ("operator", 200),
])
def test_operator_console_only_for_operators(client, studio, who, status):
    user = {"customer": lambda: UserFactory(),
            "studio_owner": lambda: staff(studio, Role.OWNER),
            "trainer": lambda: staff(studio, Role.TRAINER),
            "operator": lambda: UserFactory(is_operator=True)}[who]()
    login(client, user)
    response = client.get("/operator/")
    assert response.status_code == status
    if status == 200:
        assert studio.slug in Page(response).text("table")


def test_operator_console_asks_anonymous_to_sign_in(client):
    response = client.get("/operator/")
    assert response.status_code in (302, 303)


@pytest.mark.parametrize("first_weekday, first, last", [(7, "Sunday", "Saturday"),
                                                        (1, "Monday", "Sunday")])
def test_day_lists_follow_the_studios_first_weekday(client, studio, admin, first_weekday,
                                                    first, last):
    studio.first_weekday = first_weekday
    coach = staff(studio, Role.TRAINER)
    db.session.flush()
    series_days = [text_of(label) for label in
                   Page(client.get(console(studio, "series"))).all(".checks label.check")]
    hours = Page(client.get(console(studio, f"sessions/coaches/{coach.id}")))
    hours_days = [text_of(o) for o in hours.all("select[name='hours-weekday'] option")]
    assert series_days[0] == hours_days[0] == first
    assert series_days[-1] == hours_days[-1] == last
    # A series on Monday and Sunday reads in the studio's order.
    ct = ClassTypeFactory(studio=studio)
    response = client.post(console(studio, "series"), data={
        "class_type_id": ct.id, "location_id": studio.default_location_id, "weekdays": ["1", "7"],
        "start_time": "07:00", "duration_minutes": "60", "capacity": "10",
        "starts_on": "2099-01-05", "ends_on": "2099-01-31"})
    assert response.status_code == 303
    row = Page(client.get(console(studio, "series"))).text("tbody tr")
    other = "Monday" if first == "Sunday" else "Sunday"
    assert row.index(first) < row.index(other)
