"""The coach directory (/s/<studio>/coaches): who takes 1:1 sessions, what and for how much,
reachable from the schedule; and the slot picker's dates never cause a 500."""

import pytest

from app.studios.models import Role
from tests.appointments.helpers import coach_with_hours, session_type
from tests.factories import StudioFactory, staff
from tests.pages import Page


@pytest.fixture
def studio(app):
    return StudioFactory()


@pytest.mark.parametrize("lang, book", [("en", "Book a session"), ("ar", "احجز جلسة")])
def test_each_coach_with_their_sessions_price_and_a_way_to_book(client, studio, lang, book):
    coach = coach_with_hours(studio)
    staff(studio, Role.TRAINER, name="No Hours")  # takes no sessions: not listed
    st = session_type(studio, price=6000)
    page = Page(client.get(f"/s/{studio.slug}/coaches?lang={lang}"))
    assert len(page.all(".coach-card")) == 1
    text = page.text(".coach-list")
    assert coach.name in text and "No Hours" not in text
    assert "60.00" in text
    assert {"en": "Personal training", "ar": "تدريب شخصي"}[lang] in text
    link = page.one(".session-offer a.button")
    assert link.text.strip() == book
    assert link.get("href") == f"/s/{studio.slug}/coaches/{coach.id}/sessions?type={st.id}"
    assert client.get(link.get("href")).status_code == 200


def test_the_schedule_links_to_the_coaches(client, studio):
    page = Page(client.get(f"/s/{studio.slug}/schedule?lang=en"))
    hrefs = [a.get("href") for a in page.all(".page-head a")]
    assert f"/s/{studio.slug}/coaches" in hrefs


def test_another_studio_is_a_404(client):
    assert client.get("/s/nowhere/coaches").status_code == 404


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "NaN", "2030-02-30"])
def test_an_implausible_day_shows_the_picker_from_today(client, studio, day):
    coach = coach_with_hours(studio)
    session_type(studio)
    response = client.get(f"/s/{studio.slug}/coaches/{coach.id}/sessions?day={day}")
    assert response.status_code == 200


@pytest.mark.parametrize("slot", ["0001-01-01T00:00+03:00", "9999-12-31T23:59+00:00",
                                  "9999-12-31T23:59", "sNaN"])
def test_an_implausible_slot_is_a_400(client, studio, slot):
    coach = coach_with_hours(studio)
    session_type(studio)
    url = f"/s/{studio.slug}/coaches/{coach.id}/sessions"
    assert client.get(url, query_string={"slot": slot}).status_code == 400
    assert client.get(url, query_string={"slot": slot},
                      headers={"HX-Request": "true"}).status_code == 400
