"""Attendance from the coach's tablet: one-tap check-in and undo, pass scan or typed code,
walk-ins, no-shows — and nobody else's roster."""

from datetime import timedelta

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.member_pass import make_token, short_code
from app.bookings import services
from app.bookings.models import Booking, BookingStatus
from app.core.db import utcnow
from app.core.mail import read_mailbox
from app.extensions import db
from app.studios.models import Role
from app.studios.services import ensure_customer
from tests.conftest import login
from tests.factories import ClassFactory, StudioFactory, UserFactory, staff
from tests.pages import Page

HX = {"HX-Request": "true"}


@pytest.fixture
def studio(app):
    return StudioFactory()


@pytest.fixture
def coach(studio):
    return staff(studio, Role.TRAINER)


@pytest.fixture
def cls(studio, coach):
    return ClassFactory(studio=studio, coach_id=coach.id, hours_ahead=0.25)


@pytest.fixture
def tablet(client, coach):
    login(client, coach)
    return client


def booked(studio, cls, n=1):
    people = UserFactory.create_batch(n)
    return [services.book_class(studio, cls, p, actor=p, staff=True) for p in people]


def status_of(booking):
    db.session.expire_all()
    return db.session.get(Booking, booking.id).status


def roster_url(cls, tail=""):
    return f"/coach/{cls.studio.slug}/classes/{cls.id}/{tail}"


def test_one_tap_check_in_then_undo(tablet, studio, cls):
    (booking,) = booked(studio, cls)
    response = tablet.post(roster_url(cls, f"bookings/{booking.id}/check-in"), headers=HX)
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    page = Page(response)
    assert page.one(f"#roster-{cls.id}")
    with force_locale("en"):
        assert _("Checked in: %(name)s", name=booking.customer.name) in page.text()
    assert status_of(booking) == BookingStatus.ATTENDED
    tablet.post(roster_url(cls, f"bookings/{booking.id}/undo"), headers=HX)
    assert status_of(booking) == BookingStatus.CONFIRMED


def test_checking_in_twice_warns_and_counts_once(tablet, studio, cls):
    (booking,) = booked(studio, cls)
    tablet.post(roster_url(cls, f"bookings/{booking.id}/check-in"), headers=HX)
    again = tablet.post(roster_url(cls, f"bookings/{booking.id}/check-in"), headers=HX)
    assert again.status_code == 409
    with force_locale("en"):
        assert _("%(name)s is already checked in.",
                 name=booking.customer.name) in Page(again).text()
    assert Page(again).all(".roster-row.is-attended") != []
    assert len(Page(again).all(".roster-row.is-attended")) == 1


def test_scan_a_pass_or_type_its_code(tablet, studio, cls, app):
    first, second = booked(studio, cls, 2)
    with app.test_request_context():
        token, code = make_token(first.customer), short_code(second.customer)
    assert tablet.post(roster_url(cls, "scan"), data={"code": token}, headers=HX).status_code == 200
    assert tablet.post(roster_url(cls, "scan"), data={"code": code}, headers=HX).status_code == 200
    assert (status_of(first), status_of(second)) == ("attended", "attended")
    twice = tablet.post(roster_url(cls, "scan"), data={"code": token}, headers=HX)
    assert twice.status_code == 409  # warned, not doubled


@pytest.mark.parametrize("code", ["000000", "not-a-token", "x" * 300])
def test_a_wrong_or_foreign_pass_checks_nobody_in(tablet, studio, cls, app, code):
    (booking,) = booked(studio, cls)
    response = tablet.post(roster_url(cls, "scan"), data={"code": code}, headers=HX)
    assert response.status_code == 422
    assert Page(response).all(".alert")
    assert status_of(booking) == BookingStatus.CONFIRMED


def test_a_member_of_another_class_is_not_checked_in_here(tablet, studio, cls, app):
    elsewhere = ClassFactory(studio=studio)
    other = UserFactory()
    services.book_class(studio, elsewhere, other, actor=other)
    with app.test_request_context():
        token = make_token(other)
    assert tablet.post(roster_url(cls, "scan"), data={"code": token}, headers=HX).status_code == 422


def test_walk_in_is_booked_and_checked_in(tablet, studio, cls):
    member = UserFactory()
    ensure_customer(studio, member)
    db.session.commit()
    response = tablet.post(roster_url(cls, "walk-in"), data={"email": member.email.upper()},
                           headers=HX)
    assert response.status_code == 200
    booking = db.session.scalar(select(Booking).where(Booking.customer_id == member.id))
    assert booking.status == BookingStatus.ATTENDED
    assert member.name in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_walk_in_never_reveals_who_has_an_account(tablet, studio, cls, jobs, run_jobs, lang):
    """A platform user who is not this studio's customer and an unknown address get the same
    answer, nothing is booked, and each is emailed an invitation in their language."""
    elsewhere = UserFactory(name="Hidden Person", locale=lang)
    services.book_class(StudioFactory(), ClassFactory(), elsewhere, actor=elsewhere, staff=True)
    db.session.commit()
    answers = {}
    for email in (elsewhere.email, f"stranger-{lang}@example.org"):
        response = tablet.post(roster_url(cls, f"walk-in?lang={lang}"), data={"email": email},
                               headers=HX)
        answers[email] = (response.status_code,
                          response.get_data(as_text=True).replace(email, "EMAIL"))
    (known, unknown) = answers.values()
    assert known == unknown and known[0] == 200
    assert "Hidden Person" not in known[1]
    with force_locale(lang):
        told = _("%(email)s is not a customer of this studio yet: we emailed an invitation "
                 "to book.", email="EMAIL")
    assert told in known[1]
    assert db.session.scalar(select(Booking).where(Booking.class_id == cls.id)) is None
    run_jobs("send_walk_in_invite")
    mails = {m["To"]: m for m in read_mailbox()}
    with force_locale(lang):
        subject = _("Book your next class at %(studio)s", studio=studio.name[lang])
    assert mails[elsewhere.email]["Subject"] == subject
    assert "/signup" in mails[f"stranger-{lang}@example.org"].get_body(("plain",)).get_content()
    assert "/signup" not in mails[elsewhere.email].get_body(("plain",)).get_content()


def test_no_show_only_after_the_start(tablet, studio, cls):
    (booking,) = booked(studio, cls)
    early = tablet.post(roster_url(cls, f"bookings/{booking.id}/no-show"), headers=HX)
    assert early.status_code == 409 and status_of(booking) == BookingStatus.CONFIRMED
    cls.starts_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    assert tablet.post(roster_url(cls, f"bookings/{booking.id}/no-show"),
                       headers=HX).status_code == 200
    assert status_of(booking) == BookingStatus.NO_SHOW


def test_other_rosters_are_404(client, studio, cls):
    other_coach = staff(studio, Role.TRAINER)  # a trainer sees only their own classes
    other_studio_admin = staff(StudioFactory(), Role.STUDIO_ADMIN)
    customer = UserFactory()
    for person in (other_coach, other_studio_admin, customer):
        c = client.application.test_client()
        login(c, person)
        assert c.get(roster_url(cls)).status_code == 404
        (booking,) = booked(studio, cls)
        assert c.post(roster_url(cls, f"bookings/{booking.id}/check-in")).status_code == 404
        assert status_of(booking) == BookingStatus.CONFIRMED


def test_member_pass_page_shows_a_qr_and_a_code(client, app):
    member = UserFactory()
    login(client, member)
    page = Page(client.get("/me/pass?lang=en"))
    assert page.one("img.qr").get("src").startswith("data:image/svg+xml")
    with app.test_request_context():
        code = short_code(member)
    assert f"{code[:3]} {code[3:]}" in page.text(".pass-code")
    fragment = client.get("/me/pass", headers=HX)
    assert ("<html" not in fragment.get_data(as_text=True)
            and 'hx-trigger="every 60s"' in fragment.get_data(as_text=True))


def test_today_is_each_studios_own_today(client, app):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    riyadh = StudioFactory(location__timezone="Asia/Riyadh")
    toronto = StudioFactory(location__timezone="America/Toronto")
    coach = staff(riyadh, Role.TRAINER)
    from app.studios.models import StaffRole

    db.session.add(StaffRole(studio_id=toronto.id, user_id=coach.id, role=Role.TRAINER))
    now = utcnow()
    mine = []
    for studio, tz in ((riyadh, "Asia/Riyadh"), (toronto, "America/Toronto")):
        local_now = now.astimezone(ZoneInfo(tz))
        last_minute = datetime.combine(local_now.date(), datetime.max.time(), ZoneInfo(tz)).replace(
            second=0, microsecond=0) - timedelta(minutes=1)
        tomorrow = last_minute + timedelta(hours=2)
        mine.append(ClassFactory(studio=studio, coach_id=coach.id, starts_at=last_minute,
                                 ends_at=last_minute + timedelta(minutes=30)))
        ClassFactory(studio=studio, coach_id=coach.id, starts_at=tomorrow,
                     ends_at=tomorrow + timedelta(hours=1))
    db.session.commit()
    login(client, coach)
    page = Page(client.get("/coach/?lang=en"))
    links = sorted(a.get("href") for a in page.all("a.coach-class"))
    assert links == sorted(f"/coach/{c.studio.slug}/classes/{c.id}/" for c in mine)


def test_a_replayed_tap_from_the_offline_queue_is_applied_once(tablet, studio, cls):
    """Check in (key A), undo (key B), then the queue replays A and B — a lost answer, a
    second sync: the member stays checked out, as the coach left it."""
    (b,) = booked(studio, cls)
    check_in = roster_url(cls, f"bookings/{b.id}/check-in")
    undo = roster_url(cls, f"bookings/{b.id}/undo")
    tap_a, tap_b = {**HX, "Idempotency-Key": "tap-a-0001"}, {**HX, "Idempotency-Key": "tap-b-0001"}
    assert tablet.post(check_in, headers=tap_a).status_code == 200
    assert tablet.post(undo, headers=tap_b).status_code == 200
    replay = tablet.post(check_in, headers=tap_a)
    assert replay.status_code == 200 and "Checked in" not in Page(replay).text()
    assert tablet.post(undo, headers=tap_b).status_code == 200
    assert status_of(b) == BookingStatus.CONFIRMED


def test_negative_control_without_keys_a_replay_checks_in_again(tablet, studio, cls):
    (b,) = booked(studio, cls)
    tablet.post(roster_url(cls, f"bookings/{b.id}/check-in"), headers=HX)
    tablet.post(roster_url(cls, f"bookings/{b.id}/undo"), headers=HX)
    tablet.post(roster_url(cls, f"bookings/{b.id}/check-in"), headers=HX)
    assert status_of(b) == BookingStatus.ATTENDED
