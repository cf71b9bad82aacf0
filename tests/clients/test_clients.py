"""The coach's clients: who booked their classes, one client's page per studio, private notes
that only that studio's staff can read."""

from datetime import timedelta

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.appointments.models import Appointment
from app.bookings import attendance, services
from app.clients.models import ClientNote
from app.core.db import utcnow
from app.extensions import db
from app.studios.models import Role, StudioCustomer
from app.studios.services import grant_role
from app.training.models import TrainingPlan
from tests.appointments.helpers import session_type
from tests.conftest import login
from tests.factories import ClassFactory, StudioFactory, UserFactory, paid_order, staff
from tests.pages import Page

HX = {"HX-Request": "true"}


@pytest.fixture
def t(app):
    """Studio A with a trainer, their class (booked by Nora) and another coach's class
    (booked by Omar); Nora is also a customer of studio B."""
    a, b = StudioFactory(), StudioFactory()
    coach, other_coach = staff(a, Role.TRAINER), staff(a, Role.TRAINER)
    nora = UserFactory(name="Nora Haddad", email="nora@example.com")
    omar = UserFactory(name="Omar Saleh", email="omar@example.com")
    sami = UserFactory(name="Sami Aziz", email="sami@example.com")
    mine = ClassFactory(studio=a, coach_id=coach.id)
    theirs = ClassFactory(studio=a, coach_id=other_coach.id)
    services.book_class(a, mine, nora, actor=nora)
    services.book_class(a, mine, sami, actor=sami)
    services.book_class(a, theirs, omar, actor=omar)
    b_cls = ClassFactory(studio=b)
    services.book_class(b, b_cls, nora, actor=nora)
    return dict(a=a, b=b, coach=coach, nora=nora, omar=omar, sami=sami, mine=mine, b_cls=b_cls)


def list_url(studio, query=""):
    return f"/coach/{studio.slug}/clients/{query}"


def profile_url(studio, customer, tail=""):
    return f"/coach/{studio.slug}/clients/{customer.id}{tail}"


def notes_count():
    return db.session.scalar(select(func.count()).select_from(ClientNote))


def test_the_list_shows_only_the_coachs_clients(client, t):
    login(client, t["coach"])
    page = Page(client.get(list_url(t["a"])))
    names = page.text("#client-results")
    assert "Nora Haddad" in names and "Sami Aziz" in names
    assert "Omar Saleh" not in names
    link = page.all("#client-results a")[0].get("href")
    assert link == profile_url(t["a"], t["nora"])


def test_search_narrows_and_the_fragment_is_only_the_results(client, t):
    login(client, t["coach"])
    response = client.get(list_url(t["a"], "?q=nora%40"), headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert "HX-Request" in response.headers.get("Vary", "")
    page = Page(body)
    assert page.one("#client-results")
    assert "Nora Haddad" in page.text() and "Sami Aziz" not in page.text()
    full = Page(client.get(list_url(t["a"], "?q=SAMI")))
    assert full.one("#client-q").get("value") == "SAMI"
    assert ("Sami Aziz" in full.text("#client-results")
            and "Nora" not in full.text("#client-results"))
    with force_locale("en"):
        assert _("No client matches your search.") in Page(
            client.get(list_url(t["a"], "?q=zzz"), headers=HX)).text()


def test_the_profile_shows_bookings_attendance_and_passes(client, t):
    a, nora, coach = t["a"], t["nora"], t["coach"]
    past = ClassFactory(studio=a, coach_id=coach.id, hours_ahead=-0.25)
    booking = services.book_class(a, past, nora, actor=coach, staff=True)
    attendance.check_in(a, booking, actor=coach)
    paid_order(a, nora, credits=8)
    login(client, coach)
    response = client.get(profile_url(a, nora))
    assert response.status_code == 200
    page = Page(response)
    assert "Nora Haddad" in page.text("h1") and "nora@example.com" in page.text(".page-head")
    upcoming = page.text(".client-upcoming")
    assert "Strength" in upcoming
    with force_locale("en"):
        assert f"1 {_('attended')}" in page.text(".client-attendance")
        assert f"0 {_('no-shows')}" in page.text(".client-attendance")
        assert "8 credits left" in page.text(".client-passes")
    # The roster links the client's name to this page.
    roster = Page(client.get(f"/coach/{a.slug}/classes/{t['mine'].id}/"))
    assert profile_url(a, nora) in [e.get("href") for e in roster.all(".roster-name a")]


def test_adding_a_note_answers_with_the_notes_block_then_shows_it(client, t):
    login(client, t["coach"])
    url = profile_url(t["a"], t["nora"], "/notes")
    response = client.post(url, data={"body": "Sore left knee — no jumps."}, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    page = Page(body)
    assert page.one("#client-notes")
    assert "Sore left knee — no jumps." in page.text(".note-list")
    assert page.one(".note-body").get("dir") == "auto"
    client.post(url, data={"body": "Second note"})  # non-htmx: 303 back to the page
    notes = Page(client.get(profile_url(t["a"], t["nora"]))).all(".note-body")
    assert [n.text for n in notes] == ["Second note", "Sore left knee — no jumps."]


def test_a_non_htmx_note_redirects_with_303(client, t):
    login(client, t["coach"])
    response = client.post(profile_url(t["a"], t["nora"], "/notes"), data={"body": "ok"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(profile_url(t["a"], t["nora"]))


@pytest.mark.parametrize("text", ["", "   ", "x" * 4001])
def test_an_empty_or_too_long_note_is_refused_with_a_message(client, t, text):
    login(client, t["coach"])
    response = client.post(profile_url(t["a"], t["nora"], "/notes"), data={"body": text},
                           headers=HX)
    assert response.status_code == 422
    with force_locale("en"):
        expected = (_("Write something before saving the note.") if not text.strip()
                    else _("A note can be at most %(max)s characters.", max=4000))
    assert expected in Page(response).text("#note-error")
    assert notes_count() == 0


def test_a_customer_gets_404_on_every_clients_url_even_about_themselves(client, t):
    a, nora = t["a"], t["nora"]
    db.session.add(ClientNote(studio_id=a.id, customer_id=nora.id, author_id=t["coach"].id,
                              body="Secret about Nora"))
    db.session.flush()
    login(client, nora)
    for url in ("/coach/clients/", list_url(a), list_url(a, "?q=nora"), profile_url(a, nora),
                profile_url(a, t["sami"]), f"/coach/clients/{a.slug}/{nora.id}"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Secret about Nora" not in response.get_data(as_text=True)
    assert client.post(profile_url(a, nora, "/notes"), data={"body": "hi"}).status_code == 404
    assert notes_count() == 1


def test_another_studios_staff_cannot_see_this_studios_client_or_notes(client, t):
    a, b, nora = t["a"], t["b"], t["nora"]
    db.session.add(ClientNote(studio_id=a.id, customer_id=nora.id, author_id=t["coach"].id,
                              body="Only for studio A"))
    db.session.flush()
    b_owner = staff(b, Role.OWNER)
    login(client, b_owner)
    assert client.get(profile_url(a, nora)).status_code == 404
    assert client.post(profile_url(a, nora, "/notes"), data={"body": "x"}).status_code == 404
    # Nora is B's customer too: B's page of her exists, without A's note.
    response = client.get(profile_url(b, nora))
    assert response.status_code == 200
    assert "Only for studio A" not in response.get_data(as_text=True)
    # Omar never came to B: not B's client.
    assert client.get(profile_url(b, t["omar"])).status_code == 404
    assert notes_count() == 1


def test_each_studio_lists_its_own_clients(client, t):
    a, b, nora = t["a"], t["b"], t["nora"]
    both = staff(a, Role.TRAINER)
    grant_role(b, both, Role.TRAINER)
    theirs = UserFactory(name="Bea Bashir")
    services.book_class(b, ClassFactory(studio=b, coach_id=both.id), theirs, actor=theirs)
    services.book_class(a, ClassFactory(studio=a, coach_id=both.id), nora, actor=nora)
    login(client, both)
    in_a = Page(client.get(list_url(a))).text("#client-results")
    in_b = Page(client.get(list_url(b))).text("#client-results")
    assert "Nora Haddad" in in_a and "Bea Bashir" not in in_a
    assert "Bea Bashir" in in_b and "Nora Haddad" not in in_b


def test_a_note_written_in_studio_a_is_not_shown_in_studio_b(client, t):
    a, b, nora = t["a"], t["b"], t["nora"]
    both = staff(a, Role.TRAINER_ADMIN)
    grant_role(b, both, Role.TRAINER)
    login(client, both)
    client.post(profile_url(a, nora, "/notes"), data={"body": "Written in A"}, headers=HX)
    assert "Written in A" in client.get(profile_url(a, nora)).get_data(as_text=True)
    assert "Written in A" not in client.get(profile_url(b, nora)).get_data(as_text=True)


def test_a_former_client_falls_off_the_list_after_90_days(client, t):
    a, coach = t["a"], t["coach"]
    old = ClassFactory(studio=a, coach_id=coach.id, hours_ahead=-24 * 100)
    gone = UserFactory(name="Gone Long")
    services.book_class(a, old, gone, actor=gone, now=old.starts_at - timedelta(days=1))
    login(client, coach)
    assert "Gone Long" not in Page(client.get(list_url(t["a"]))).text("#client-results")
    assert "Nora Haddad" in Page(client.get(list_url(t["a"]))).text("#client-results")


def test_clients_also_come_from_1_1_sessions_and_training_plans(client, t):
    pt, trained = UserFactory(name="Pia Tamer"), UserFactory(name="Tariq Noor")
    start = utcnow() + timedelta(days=1)
    db.session.add(Appointment(studio_id=t["a"].id, coach_id=t["coach"].id, customer_id=pt.id,
                               session_type_id=session_type(t["a"]).id,
                               location_id=t["a"].default_location_id, starts_at=start,
                               ends_at=start + timedelta(hours=1)))
    db.session.add(StudioCustomer(studio_id=t["a"].id, user_id=trained.id))
    db.session.add(TrainingPlan(studio_id=t["a"].id, client_id=trained.id, coach_id=t["coach"].id,
                                title="Base", weeks=4, days_per_week=3))
    db.session.flush()
    login(client, t["coach"])
    names = Page(client.get(list_url(t["a"]))).text("#client-results")
    assert "Pia Tamer" in names and "Tariq Noor" in names and "Omar Saleh" not in names
