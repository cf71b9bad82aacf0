"""The workout editor, templates and plans through HTTP: htmx fragments (blocks of the page) with
a "Saved" status out of band, 303 without htmx, 422 messages that save nothing, and who may
reach any of it (another studio's coach and customers get 404 on every route)."""

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.studios.models import Role
from app.studios.services import ensure_customer
from app.training.models import PlanStatus, TrainingPlan, Workout, WorkoutExercise
from app.training.queries.loaders import plan_weeks, workout_items
from app.training.services import plans
from app.training.services.library import add_exercise
from tests.conftest import login
from tests.factories import StudioFactory, UserFactory, staff
from tests.pages import Page
from tests.routes import build
from tests.training.test_plans import builtin

HX = {"HX-Request": "true"}


@pytest.fixture
def t(app, client):
    """Studio A: a coach (signed in), a client with a 2 × 2 plan, a template with two exercises
    (one built-in, one A's own); studio B with its own coach, exercise and client."""
    a, b = StudioFactory(), StudioFactory()
    coach, b_coach = staff(a, Role.TRAINER), staff(b, Role.TRAINER)
    nora = UserFactory(name="Nora Haddad")
    ensure_customer(a, nora)
    squat = builtin("Back squat")
    sled = add_exercise(a, name={"en": "Sled push", "ar": "دفع الزلاجة"}, cues={},
                        muscle_group="legs", equipment="other")
    secret = add_exercise(b, name={"en": "Secret move"}, cues={}, muscle_group="core",
                          equipment="band")
    template = plans.create_template(a, "Legs", actor=coach)
    for exercise in (squat, sled):
        plans.add_workout_exercise(template, exercise, actor=coach)
    plan = plans.create_plan(a, nora, title="Strong", weeks=2, days_per_week=2, actor=coach)
    login(client, coach)
    return dict(a=a, b=b, coach=coach, b_coach=b_coach, nora=nora, squat=squat, sled=sled,
                secret=secret, template=template, plan=plan)


def editor(t, workout=None, tail=""):
    workout = workout or t["template"]
    return f"/coach/{t['a'].slug}/workouts/{workout.id}{tail}"


def items(workout):
    db.session.expire_all()
    return workout_items(workout)


def names(workout):
    return [i.exercise.name["en"] for i in items(workout)]


def status(body: str) -> str:
    """The text of the out-of-band "Saved" status carried by a fragment."""
    page = Page(body)
    element = page.one("#save-status")
    assert element.get("hx-swap-oob") == "innerHTML"
    return "".join(element.itertext()).strip()


def test_the_editor_page_shows_exercises_sets_and_the_picker(client, t):
    page = Page(client.get(editor(t)))
    assert [e.text for e in page.all("#workout .plan-item-name bdi")] == ["Back squat", "Sled push"]
    assert len(page.all("#workout .set-row")) == 6
    picker = [e.text for e in page.all("#picker-results .picker-name")]
    assert "Back squat" in picker and "Sled push" in picker and "Secret move" not in picker
    assert page.one("#save-status").get("role") == "status"
    assert not page.all("[hx-swap-oob]")  # a page swaps nothing out of band
    first = page.all("#workout .plan-item")[0]
    assert first.get("hx-target") == "this"


def test_adding_an_exercise_answers_htmx_with_the_workout_block_and_a_status(client, t):
    response = client.post(editor(t, tail="/exercises"), data={"exercise_id": t["sled"].id},
                           headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert "HX-Request" in response.headers["Vary"]
    assert body.lstrip().startswith('<section id="workout"')
    assert status(body) == "Added: Sled push"
    assert [e.text for e in Page(body).all("#workout .plan-item-name bdi")] == [
        "Back squat", "Sled push", "Sled push"]
    assert names(t["template"]) == ["Back squat", "Sled push", "Sled push"]


def test_without_htmx_every_edit_redirects_to_the_editor(client, t):
    item = items(t["template"])[0]
    response = client.post(editor(t, tail="/exercises"), data={"exercise_id": t["squat"].id})
    assert response.status_code == 303 and response.headers["Location"] == editor(t)
    response = client.post(editor(t, tail=f"/exercises/{item.id}/sets/{item.sets[0].id}"),
                           data={"reps": "6", "load": "40"})
    assert response.status_code == 303
    assert response.headers["Location"] == editor(t) + f"#workout-item-{item.id}"
    assert (items(t["template"])[0].sets[0].reps, str(items(t["template"])[0].sets[0].load)) == (
        6, "40.00")


def test_moving_and_removing_swap_the_workout(client, t):
    squat, sled = (i.id for i in items(t["template"]))
    body = client.post(editor(t, tail=f"/exercises/{sled}/up"), headers=HX).get_data(as_text=True)
    assert status(body) == "Moved: Sled push is number 1"
    assert names(t["template"]) == ["Sled push", "Back squat"]
    page = Page(body)
    assert page.one(f"#move--1-{sled}").get("disabled") is not None  # now first
    assert page.one(f"#move-1-{squat}").get("disabled") is not None  # now last
    client.post(editor(t, tail=f"/exercises/{sled}/down"), headers=HX)
    assert names(t["template"]) == ["Back squat", "Sled push"]
    body = client.post(editor(t, tail=f"/exercises/{squat}/remove"), headers=HX
                       ).get_data(as_text=True)
    assert status(body) == "Removed: Back squat"
    assert [i.position for i in items(t["template"])] == [0]
    assert client.post(editor(t, tail=f"/exercises/{squat}/remove"), headers=HX
                       ).status_code == 404


def test_set_edits_answer_with_the_exercise_block(client, t):
    item = items(t["template"])[0]
    url = editor(t, tail=f"/exercises/{item.id}")
    response = client.post(url + f"/sets/{item.sets[2].id}", data={"reps": "5", "load": "62.5"},
                           headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<li id="workout-item-{item.id}"') and status(body) == "Saved"
    assert Page(body).one(f"#set-{item.sets[2].id}-load").get("value") == "62.5"
    body = client.post(url + "/sets", headers=HX).get_data(as_text=True)
    assert status(body) == "Set added"
    rows = Page(body).all(".set-row input[name=reps]")
    assert [r.get("value") for r in rows] == ["10", "10", "5", "5"]
    assert [r.get("value") for r in Page(body).all(".set-row input[name=load]")][-1] == "62.5"
    fourth = items(t["template"])[0].sets[3]
    body = client.post(url + f"/sets/{fourth.id}/remove", headers=HX).get_data(as_text=True)
    assert status(body) == "Set removed" and len(Page(body).all(".set-row")) == 3
    body = client.post(url + "/rest", data={"rest_seconds": "120"},
                       headers=HX).get_data(as_text=True)
    assert Page(body).one(f"#rest-{item.id}").get("value") == "120"
    assert items(t["template"])[0].rest_seconds == 120


@pytest.mark.parametrize("field, value, message", [
    ("reps", "0", "Reps must be a whole number from 1 to 1000."),
    ("load", "12.345", "Load must be a number from 0 to 10000 kg with at most 2 decimals, "
                       "or empty for no load."),
])
def test_a_bad_set_is_a_422_with_the_message_at_the_set_and_saves_nothing(client, t, field,
                                                                          value, message):
    item = items(t["template"])[0]
    target = item.sets[1]
    data = {"reps": "10", "load": "", field: value}
    response = client.post(editor(t, tail=f"/exercises/{item.id}/sets/{target.id}"), data=data,
                           headers=HX)
    assert response.status_code == 422
    page = Page(response)
    error = page.one(f"#set-{target.id}-error")
    assert error.get("role") == "alert" and error.text == message
    typed = page.one(f"#set-{target.id}-{field}")
    assert typed.get("value") == value and typed.get("aria-invalid") == "true"
    assert status(response.get_data(as_text=True)) == "Not saved."
    fresh = items(t["template"])[0].sets[1]
    assert (fresh.reps, fresh.load) == (10, None)
    # Without htmx: the whole page, same message, same status.
    full = client.post(editor(t, tail=f"/exercises/{item.id}/sets/{target.id}"), data=data)
    assert full.status_code == 422 and Page(full).one(f"#set-{target.id}-error").text == message
    assert "<html" in full.get_data(as_text=True)


def test_a_bad_rest_or_title_is_a_422_next_to_its_field(client, t):
    item = items(t["template"])[0]
    response = client.post(editor(t, tail=f"/exercises/{item.id}/rest"),
                           data={"rest_seconds": "9999"}, headers=HX)
    assert response.status_code == 422
    assert Page(response).one(f"#rest-{item.id}-error").text == (
        "Rest must be a whole number of seconds from 0 to 3600.")
    response = client.post(editor(t, tail="/title"), data={"title": " "}, headers=HX)
    assert response.status_code == 422
    assert Page(response).one("#workout-title-error").text == "Give it a title."
    response = client.post(editor(t, tail="/title"), data={"title": "Leg day"}, headers=HX)
    assert response.status_code == 200 and status(response.get_data(as_text=True)) == "Saved"
    db.session.expire_all()
    assert (t["template"].title, items(t["template"])[0].rest_seconds) == ("Leg day", 90)


def test_the_picker_searches_in_a_fragment_and_refuses_foreign_exercises(client, t):
    response = client.get(editor(t, tail="/exercises?q=sled"), headers=HX)
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<form id="picker-results"') and "save-status" not in body
    assert [e.text for e in Page(body).all(".picker-name")] == ["Sled push"]
    arabic = Page(client.get(editor(t, tail="/exercises?q=الزلاجة&lang=ar"), headers=HX))
    assert [e.text for e in arabic.all(".picker-name")] == ["دفع الزلاجة"]
    full = Page(client.get(editor(t, tail="/exercises?q=sled&lang=en")))  # no-JS search
    assert full.one("#picker-q").get("value") == "sled" and full.all("#workout")
    assert client.post(editor(t, tail="/exercises"), data={"exercise_id": t["secret"].id},
                       headers=HX).status_code == 404
    junk = client.post(editor(t, tail="/exercises"), data={"exercise_id": "x"}, headers=HX)
    assert junk.status_code == 422
    assert Page(junk).text("#workout .alert") == "Choose an exercise from the list."
    assert names(t["template"]) == ["Back squat", "Sled push"]


def test_templates_page_lists_and_creates(client, t):
    url = f"/coach/{t['a'].slug}/workouts/"
    page = Page(client.get(url))
    assert [e.text for e in page.all(".template-list bdi")] == ["Legs"]
    assert "2 exercises" in page.text(".template-list")
    response = client.post(url, data={"title": "Push"})
    made = db.session.scalar(select(Workout).where(Workout.title == "Push"))
    assert response.status_code == 303 and response.headers["Location"] == editor(t, made)
    refused = client.post(url, data={"title": ""})
    assert refused.status_code == 422 and Page(refused).one("#template-error").text == (
        "Give it a title.")
    assert client.post(f"/coach/{t['b'].slug}/workouts/", data={"title": "X"}).status_code == 404
    made_id, deleted = made.id, client.post(editor(t, made, "/delete"))
    db.session.expire_all()
    assert deleted.status_code == 303 and db.session.get(Workout, made_id) is None


def test_a_clients_plans_are_created_shown_as_a_grid_and_archived(client, t):
    nora, a = t["nora"], t["a"]
    url = f"/coach/{a.slug}/clients/{nora.id}/plans"
    profile = Page(client.get(f"/coach/{a.slug}/clients/{nora.id}"))
    assert profile.all(f'a[href="{url}"]')
    assert [e.text for e in Page(client.get(url)).all(".training-plan-list bdi")] == ["Strong"]
    bad = client.post(url, data={"title": "Big", "weeks": "60", "days_per_week": "3"})
    assert bad.status_code == 422 and Page(bad).one("#plan-error").text == (
        "A plan runs 1 to 52 weeks with 1 to 7 training days a week.")
    response = client.post(url, data={"title": "Block B", "weeks": "3", "days_per_week": "4"})
    plan = db.session.scalar(select(TrainingPlan).where(TrainingPlan.title == "Block B"))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/coach/{a.slug}/plans/{plan.id}"
    grid = Page(client.get(response.headers["Location"]))
    assert len(grid.all(".plan-grid tbody tr")) == 3 and len(grid.all(".plan-day")) == 12
    day = plan_weeks(plan)[1][2]
    plans.add_workout_exercise(day, t["squat"], actor=t["coach"])
    cell = Page(client.get(response.headers["Location"])).one(f'a[href="{editor(t, day)}"]')
    assert "1 exercise" in "".join(cell.itertext())

    assert client.post(f"/coach/{a.slug}/plans/{plan.id}/archive").status_code == 303
    db.session.expire_all()
    assert plan.status == PlanStatus.ARCHIVED
    page = Page(client.get(editor(t, day)))
    assert not page.all("#picker-results") and not page.all(".add-set")
    assert page.one(f"#set-{items(day)[0].sets[0].id}-reps").get("disabled") is not None
    refused = client.post(editor(t, day, "/exercises"), data={"exercise_id": t["squat"].id},
                          headers=HX)
    assert refused.status_code == 409
    assert Page(refused).text("#workout .alert") == (
        "This plan is archived and can no longer be changed.")


def test_a_plan_day_takes_a_template_and_is_copied_to_every_week(client, t):
    first, _second = plan_weeks(t["plan"])[0]
    page = Page(client.get(editor(t, first)))
    assert page.one("h1").text == "Week 1 · Day 1"
    assert page.one(".day-nav .next").get("href") == editor(t, plan_weeks(t["plan"])[0][1])
    body = client.post(editor(t, first, "/copy-template"),
                       data={"template_id": t["template"].id}, headers=HX).get_data(as_text=True)
    assert status(body) == "Added the exercises of Legs"
    assert names(first) == ["Back squat", "Sled push"]
    body = client.post(editor(t, first, "/copy-to-weeks"), headers=HX).get_data(as_text=True)
    assert status(body) == "Copied to 1 other week"
    assert names(plan_weeks(t["plan"])[1][0]) == ["Back squat", "Sled push"]
    assert names(plan_weeks(t["plan"])[1][1]) == []
    # Another studio's template, or a template as the target, is not a thing here.
    other = plans.create_template(t["b"], "Theirs", actor=t["b_coach"])
    assert client.post(editor(t, first, "/copy-template"), data={"template_id": other.id},
                       headers=HX).status_code == 404
    assert client.post(editor(t, tail="/copy-to-weeks"), headers=HX).status_code == 422


# --- Who may reach it ---------------------------------------------------------------------------


def plan_rules(app):
    return [r for r in app.url_map.iter_rules()
            if app.view_functions[r.endpoint].__module__ == "app.training.coach_views.plans"]


def sample(t, slug=None) -> dict:
    """Route values pointing at studio A's objects (under `slug`, A's own by default)."""
    item = items(t["template"])[0]
    return {"studio": slug or t["a"].slug, "workout_id": t["template"].id, "item_id": item.id,
            "set_id": item.sets[0].id, "customer_id": t["nora"].id,
            "training_plan_id": t["plan"].id}


def snapshot(t):
    db.session.expire_all()
    return (t["template"].title, [(i.exercise_id, i.position, [(s.reps, s.load) for s in i.sets])
                                  for i in items(t["template"])],
            db.session.get(TrainingPlan, t["plan"].id).status,
            db.session.scalar(select(func.count()).select_from(WorkoutExercise)))


FORM = {"exercise_id": "1", "reps": "1", "load": "1", "rest_seconds": "1", "title": "Hijacked",
        "weeks": "1", "days_per_week": "1", "template_id": "1", "studio": "x"}


def test_every_route_exists_for_the_coach(app, client, t):
    """Positive control for the sweeps below."""
    rules = plan_rules(app)
    assert len(rules) >= 18
    for rule in rules:
        if "GET" in rule.methods:
            assert client.get(build(rule, sample(t))).status_code == 200, rule.rule


@pytest.mark.parametrize("who", ["other_coach", "customer", "client"])
def test_every_route_is_a_404_for_another_studios_coach_and_for_customers(app, client, t, who):
    user = {"other_coach": t["b_coach"], "customer": UserFactory(), "client": t["nora"]}[who]
    login(client, user)
    before = snapshot(t)
    for rule in plan_rules(app):
        for values in (sample(t), sample(t, t["b"].slug)):  # A's ids under A's and B's slug
            path = build(rule, values)
            if rule.arguments == {"studio"} and who == "other_coach" \
                    and values["studio"] == t["b"].slug:
                continue  # their own lists: checked below
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                for headers in ({}, HX):
                    response = client.open(path, method=method, data=FORM, headers=headers)
                    assert response.status_code == 404, (who, method, path)
    assert snapshot(t) == before
    if who == "other_coach":
        assert "Legs" not in Page(client.get(f"/coach/{t['b'].slug}/workouts/")).text("main")


def test_anonymous_visitors_are_sent_to_sign_in(app, t):
    anonymous = app.test_client()
    for rule in plan_rules(app):
        path = build(rule, sample(t))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = anonymous.open(path, method=method, data=FORM)
            assert response.status_code in (302, 303), (method, path)
            assert "/login" in response.headers["Location"]


def test_an_exercise_or_set_of_another_workout_is_a_404(client, t):
    day = plan_weeks(t["plan"])[0][0]
    plans.add_workout_exercise(day, t["squat"], actor=t["coach"])
    theirs = items(day)[0]
    mine = items(t["template"])[0]
    assert client.post(editor(t, tail=f"/exercises/{theirs.id}/up"), headers=HX).status_code == 404
    assert client.post(editor(t, tail=f"/exercises/{mine.id}/sets/{theirs.sets[0].id}"),
                       data={"reps": "3"}, headers=HX).status_code == 404
    with force_locale("en"):
        assert _("We could not find that page.") in Page(
            client.post(editor(t, tail=f"/exercises/{theirs.id}/remove"))).text()
    assert names(day) == ["Back squat"] and [s.reps for s in items(day)[0].sets] == [10, 10, 10]
