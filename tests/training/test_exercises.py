"""The exercise library: the built-in seed, the coach's searchable list, a studio's own
exercises seen only by its staff, and the add form."""

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.studios.models import Role
from app.training.models import Equipment, Exercise, MuscleGroup
from app.training.services.library import add_exercise, seed_library
from tests.conftest import login
from tests.factories import StudioFactory, UserFactory, staff
from tests.pages import Page

HX = {"HX-Request": "true"}
OLD_URL = "/coach/exercises/"


def library(studio) -> str:
    return f"/coach/{studio.slug}/exercises/"


def count(**where):
    query = select(func.count()).select_from(Exercise)
    for key, value in where.items():
        query = query.where(getattr(Exercise, key).is_(value) if value is None
                            else getattr(Exercise, key) == value)
    return db.session.scalar(query)


@pytest.fixture
def t(app):
    """The built-in library; studio A with a coach and its own exercise; studio B's coach."""
    seed_library()
    a, b = StudioFactory(), StudioFactory()
    coach, other = staff(a, Role.TRAINER), staff(b, Role.TRAINER)
    own = add_exercise(a, name={"en": "Sled push", "ar": "دفع الزلاجة"},
                       cues={"en": "Low hips, drive.", "ar": "ورك منخفض وادفع."},
                       muscle_group="legs", equipment="other")
    return dict(a=a, b=b, coach=coach, other=other, own=own)


def names(page: Page) -> list[str]:
    return [e.text for e in page.all("#exercise-results .exercise-name bdi")]


def test_the_seed_has_both_languages_and_seeding_twice_adds_nothing(app):
    before = count(studio_id=None)
    added = seed_library()
    assert added >= 60 and count(studio_id=None) == before + added
    exercises = db.session.scalars(select(Exercise).where(Exercise.studio_id.is_(None))).all()
    for exercise in exercises:
        assert exercise.name["en"].strip() and exercise.name["ar"].strip(), exercise.name
        assert exercise.cues["en"].strip() and exercise.cues["ar"].strip(), exercise.name
        assert any("\u0600" <= c <= "\u06ff" for c in exercise.name["ar"]), exercise.name
    assert {"Back squat", "Bench press", "Deadlift", "Push-up", "Plank"} <= {
        e.name["en"] for e in exercises}
    assert {e.muscle_group for e in exercises} == set(MuscleGroup)
    assert seed_library() == 0 and count(studio_id=None) == before + added


def test_search_and_filter_narrow_and_the_fragment_is_only_the_results(client, t):
    URL = library(t["a"])
    login(client, t["coach"])
    full = Page(client.get(URL))
    assert "Bench press" in names(full) and "Sled push" in names(full)
    assert full.one("#exercise-q").get("dir") == "auto"
    response = client.get(f"{URL}?q=squat", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert "HX-Request" in response.headers.get("Vary", "")
    found = names(Page(body))
    assert "Back squat" in found and "Bench press" not in found
    assert all("squat" in n.lower() for n in found)
    arabic = names(Page(client.get(f"{URL}?q=البنش&lang=ar", headers=HX)))
    assert "ضغط البنش" in arabic and "تمرين البلانك" not in arabic
    core = names(Page(client.get(f"{URL}?muscle=core&lang=en", headers=HX)))
    assert "Plank" in core and "Bench press" not in core and "Sled push" not in core
    both = Page(client.get(f"{URL}?muscle=legs&q=sled"))
    assert names(both) == ["Sled push"]
    assert both.one("#exercise-muscle option[selected]").get("value") == "legs"
    with force_locale("en"):
        assert _("No exercise matches your search.") in Page(
            client.get(f"{URL}?q=zzzz", headers=HX)).text()


def test_a_studios_own_exercise_is_only_seen_by_its_staff(client, t):
    login(client, t["other"])
    page = Page(client.get(library(t["b"])))
    assert "Bench press" in names(page) and "Sled push" not in names(page)
    assert client.get(library(t["a"])).status_code == 404
    for url in (library(t["a"]), OLD_URL):
        response = client.post(url, data={"studio": t["a"].slug, "name_en": "Sneaky",
                                          "muscle_group": "core", "equipment": "band"})
        assert response.status_code == 404 and count(studio_id=t["a"].id) == 1


@pytest.mark.parametrize("who", ["customer", "anonymous"])
def test_customers_and_strangers_do_not_get_the_library(client, t, who):
    if who == "customer":
        login(client, UserFactory())
        for url in (library(t["a"]), OLD_URL):
            assert client.get(url).status_code == 404
            assert client.post(url, data={"studio": t["a"].slug, "name_en": "X"}).status_code == 404
    else:
        assert client.get(library(t["a"])).status_code in (302, 303)


def test_adding_an_exercise_redirects_and_shows_it(client, t):
    URL = library(t["a"])
    login(client, t["coach"])
    response = client.post(URL, data={"studio": t["a"].slug, "name_en": "",
                                      "name_ar": "سحب الحبل", "cue_ar": "اسحب بقوة",
                                      "muscle_group": "back", "equipment": "other"})
    assert response.status_code == 303 and response.headers["Location"].endswith(URL)
    exercise = db.session.scalar(select(Exercise).where(Exercise.studio_id == t["a"].id,
                                                        Exercise.id != t["own"].id))
    assert exercise.name == {"ar": "سحب الحبل"} and exercise.equipment == Equipment.OTHER
    assert "سحب الحبل" in names(Page(client.get(f"{URL}?muscle=back")))


def test_adding_with_no_name_is_a_422_and_saves_nothing(client, t):
    URL = library(t["a"])
    login(client, t["coach"])
    response = client.post(URL, data={"studio": t["a"].slug, "name_en": "  ", "name_ar": "",
                                      "cue_en": "Keep this cue", "muscle_group": "core",
                                      "equipment": "band"})
    assert response.status_code == 422 and count(studio_id=t["a"].id) == 1
    page = Page(response)
    with force_locale("en"):
        assert _("Give the exercise a name in English or Arabic.") in page.text("#exercise-form")
    assert page.one("#exercise-form input[name=cue_en]").get("value") == "Keep this cue"
    arabic = Page(client.post(f"{URL}?lang=ar", data={"studio": t["a"].slug,
                                                     "muscle_group": "core", "equipment": "band"}))
    assert "بالإنجليزية أو العربية" in arabic.text("#exercise-form")
