"""A coach builds a workout on a tablet: two exercises from the picker, a reorder, an extra set,
new reps — every change saved as they go, without a page reload, in Arabic and English."""

import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.studios.models import Role
from app.training.models import Exercise, WorkoutExercise
from app.training.services import plans
from app.training.services.library import seed_library
from tests.e2e.conftest import Texts, sign_in
from tests.factories import StudioFactory, staff

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}


@pytest.fixture
def empty_template(live_app):
    with live_app.app_context():
        seed_library()
        studio = StudioFactory(slug=f"plan-{uuid.uuid4().hex[:6]}",
                               location__timezone="Asia/Riyadh")
        coach = staff(studio, Role.TRAINER, email=f"coach-{uuid.uuid4().hex[:6]}@example.com")
        template = plans.create_template(studio, "Upper A", actor=coach)
        builtins = {e.name["en"]: e for e in db.session.scalars(
            select(Exercise).where(Exercise.studio_id.is_(None)))}
        db.session.commit()
        picked = [builtins[n] for n in ("Bench press", "Back squat")]
        return (f"/coach/{studio.slug}/workouts/{template.id}", template.id, coach.email,
                [(e.id, dict(e.name)) for e in picked])


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_coach_builds_a_workout_without_a_reload(new_context, live_app, live_server, empty_template,
                                                 lang, artifacts_dir):
    url, template_id, coach_email, exercises = empty_template
    t = Texts(live_app, lang)
    context = new_context(locale=lang, **TABLET)
    page = context.new_page()
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))

    sign_in(page, live_server, t, lang, coach_email)
    page.goto(live_server + url)
    page.evaluate("window.__noReload = 1")
    workout, status = page.locator("#workout"), page.locator("#save-status")

    for count, (exercise_id, name) in enumerate(exercises, start=1):  # search, then one tap
        page.get_by_label(t("Search by name")).fill(name[lang])
        button = page.locator(f"#picker-results button[value='{exercise_id}']")
        expect(page.locator("#picker-results .picker-add")).not_to_have_count(0)
        expect(button).to_contain_text(name[lang])
        button.tap()
        expect(status).to_have_text(t("Added: %(name)s", name=name[lang]))
        expect(workout.locator(".plan-item")).to_have_count(count)

    bench, squat = (name[lang] for _id, name in exercises)
    page.get_by_role("button", name=t("Move %(name)s up", name=squat)).tap()
    expect(status).to_have_text(t("Moved: %(name)s is number %(position)s", name=squat, position=1))
    expect(workout.locator(".plan-item-name")).to_have_text([squat, bench])

    first = workout.locator(".plan-item").first
    first.get_by_role("button", name=t("Add a set")).tap()
    expect(first.locator(".set-row")).to_have_count(4)
    expect(status).to_have_text(t("Set added"))
    reps = first.get_by_label(t("Set %(number)s: reps", number=1))
    reps.fill("5")
    reps.press("Tab")
    expect(status).to_have_text(t("Saved"))
    expect(first.get_by_label(t("Set %(number)s: reps", number=1))).to_have_value("5")
    page.screenshot(path=artifacts_dir / f"coach-plan-editor-{lang}.png")

    assert page.evaluate("window.__noReload") == 1
    assert problems == []
    with live_app.app_context():
        rows = db.session.scalars(select(WorkoutExercise).where(
            WorkoutExercise.workout_id == template_id).order_by(WorkoutExercise.position)).all()
        assert [(r.exercise.name["en"], r.position) for r in rows] == [
            ("Back squat", 0), ("Bench press", 1)]
        assert [s.reps for s in rows[0].sets] == [5, 10, 10, 10]
    context.close()
