"""Session logging on the coach's tablet: prefilled sets, one-tap logging that a retry or a double
tap never doubles, undo, personal records, and who may do it."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.core.db import utcnow
from app.extensions import db
from app.studios.models import Role, StudioCustomer
from app.training.models import (
    Exercise,
    LoggedSet,
    TrainingPlan,
    TrainingSession,
    Workout,
    WorkoutExercise,
    WorkoutSet,
)
from app.training.services import sessions
from app.training.services.library import seed_library
from tests.conftest import login
from tests.factories import StudioFactory, UserFactory, staff
from tests.pages import Page

HX = {"HX-Request": "true"}


def exercise(name):
    found = db.session.scalar(select(Exercise).where(Exercise.studio_id.is_(None)))
    if found is None:
        seed_library()
    return next(e for e in db.session.scalars(select(Exercise).where(Exercise.studio_id.is_(None)))
                if e.name["en"] == name)


@pytest.fixture
def t(app):
    """Studio A with a trainer and their client Nora, who has a plan: week 1 day 1 = bench press
    3 × 8 at 60 and squat 2 × 5 (no load set, so it comes from her last session)."""
    a = StudioFactory()
    coach = staff(a, Role.TRAINER)
    nora = UserFactory(name="Nora Haddad")
    db.session.add(StudioCustomer(studio_id=a.id, user_id=nora.id))
    bench, squat = exercise("Bench press"), exercise("Back squat")
    plan = TrainingPlan(studio_id=a.id, client_id=nora.id, coach_id=coach.id, title="Strength",
                        weeks=4, days_per_week=2)
    db.session.add(plan)
    db.session.flush()
    day = Workout(studio_id=a.id, plan_id=plan.id, week=1, day=1, title="Push")
    day.items = [
        WorkoutExercise(exercise_id=bench.id, position=0, rest_seconds=120,
                        sets=[WorkoutSet(position=i, reps=8, load=Decimal(60)) for i in range(3)]),
        WorkoutExercise(exercise_id=squat.id, position=1, rest_seconds=150,
                        sets=[WorkoutSet(position=i, reps=5, load=None) for i in range(2)]),
    ]
    db.session.add(day)
    db.session.flush()
    return dict(a=a, coach=coach, nora=nora, bench=bench, squat=squat, plan=plan, day=day)


def new_session(t, *, days_ago=0, workout="day"):
    return sessions.start_session(t["a"], t["nora"], coach=t["coach"],
                                  workout=t[workout] if workout else None,
                                  now=utcnow() - timedelta(days=days_ago))


def log(session, t, exercise, load, reps, position=0, set_id=None, now=None):
    return sessions.log_set(session, t["a"], set_id=set_id or str(uuid.uuid4()),
                            exercise_id=t[exercise].id, position=position, reps=reps,
                            load=Decimal(load), now=now)[0]


def sets_count():
    return db.session.scalar(select(func.count()).select_from(LoggedSet))


# Personal records ---------------------------------------------------------------------------

def test_the_first_set_of_an_exercise_is_a_baseline_not_a_record(t):
    s = new_session(t)
    assert log(s, t, "bench", 60, 8).records == []


def test_a_heavier_set_beats_load_estimated_1rm_and_volume(t):
    s = new_session(t)
    log(s, t, "bench", 60, 8)
    assert log(s, t, "bench", 62.5, 8, 1).records == ["load", "e1rm", "volume"]


def test_same_load_for_fewer_reps_is_no_record(t):
    s = new_session(t)
    log(s, t, "bench", 60, 8)
    assert log(s, t, "bench", 60, 6, 1).records == []


def test_more_reps_at_a_lighter_load_can_beat_1rm_and_volume_but_not_load(t):
    s = new_session(t)
    log(s, t, "bench", 80, 3)   # e1rm 88, volume 240
    # 70 x 10: e1rm 93.33 and volume 700 are records; 80 was lifted for 3 reps, but nobody
    # moved 70 or more for 10 or more reps before, so it is also a load record for 10 reps.
    assert log(s, t, "bench", 70, 10, 1).records == ["load", "e1rm", "volume"]
    # 75 x 3: 80 x 3 was heavier for as many reps, and the 1RM and volume are lower.
    assert log(s, t, "bench", 75, 3, 2).records == []


def test_bodyweight_sets_count_reps(t):
    s = new_session(t, workout=None)
    pushup = exercise("Push-up")
    t["pushup"] = pushup
    assert log(s, t, "pushup", 0, 15).records == []
    assert log(s, t, "pushup", 0, 18, 1).records == ["reps"]
    assert log(s, t, "pushup", 0, 18, 2).records == []


def test_records_are_per_client_and_per_exercise(t):
    s = new_session(t)
    log(s, t, "bench", 100, 5)
    other = UserFactory()
    db.session.add(StudioCustomer(studio_id=t["a"].id, user_id=other.id))
    theirs = sessions.start_session(t["a"], other, coach=t["coach"])
    their_first = sessions.log_set(theirs, t["a"], set_id=str(uuid.uuid4()),
                                   exercise_id=t["bench"].id, position=0, reps=5,
                                   load=Decimal(50))[0]
    assert their_first.records == []  # Nora's 100 is not theirs to beat
    assert log(s, t, "squat", 50, 5, 0).records == []  # and squats start their own history


def test_undoing_an_earlier_set_never_takes_a_record_away(t):
    s = new_session(t)
    first = log(s, t, "bench", 60, 8)
    record = log(s, t, "bench", 65, 8, 1)
    sessions.undo_set(s, first.id)
    db.session.refresh(record)
    assert record.records == ["load", "e1rm", "volume"]


# Logging ------------------------------------------------------------------------------------

def test_a_retry_with_the_same_id_returns_the_saved_set(t):
    s = new_session(t)
    set_id = str(uuid.uuid4())
    first, created = sessions.log_set(s, t["a"], set_id=set_id, exercise_id=t["bench"].id,
                                      position=0, reps=8, load=Decimal(60))
    again, created_again = sessions.log_set(s, t["a"], set_id=set_id, exercise_id=t["bench"].id,
                                            position=0, reps=9, load=Decimal(99))
    assert (created, created_again) == (True, False)
    assert again is first and sets_count() == 1 and again.load == Decimal("60.00")


def test_another_studios_exercise_is_not_in_the_library(t):
    other = StudioFactory()
    theirs = Exercise(studio_id=other.id, name={"en": "Secret"}, cues={}, muscle_group="core",
                      equipment="other")
    db.session.add(theirs)
    db.session.flush()
    s = new_session(t)
    with pytest.raises(sessions.NotInLibrary):
        sessions.log_set(s, t["a"], set_id=str(uuid.uuid4()), exercise_id=theirs.id, position=0,
                         reps=5, load=Decimal(10))


def test_a_finished_session_takes_no_more_sets(t):
    s = new_session(t)
    sessions.finish_session(s)
    with pytest.raises(sessions.SessionFinished):
        log(s, t, "bench", 60, 8)


def test_starting_again_resumes_todays_open_session(t):
    assert new_session(t) is new_session(t)


def test_the_next_plan_day_follows_the_last_one_trained(t):
    day2 = Workout(studio_id=t["a"].id, plan_id=t["plan"].id, week=1, day=2, title="Pull")
    day2.items = [WorkoutExercise(exercise_id=t["squat"].id, position=0,
                                  sets=[WorkoutSet(position=0, reps=5)])]
    db.session.add(day2)
    db.session.flush()
    db.session.refresh(t["plan"])
    assert sessions.next_plan_day(t["plan"], t["nora"]) == t["day"]
    new_session(t, days_ago=2)
    assert sessions.next_plan_day(t["plan"], t["nora"]) == day2


# The page -----------------------------------------------------------------------------------

def test_sets_are_prefilled_from_the_plan_and_from_the_last_session(client, t):
    earlier = new_session(t, days_ago=3)
    for i, (load, reps) in enumerate([(77.5, 5), (80, 5)]):
        log(earlier, t, "squat", load, reps, i, now=utcnow() - timedelta(days=3))
    sessions.finish_session(earlier)
    login(client, t["coach"])
    response = client.post(f"/coach/{t['a'].slug}/clients/{t['nora'].id}/sessions",
                           data={"workout": t["day"].id})
    assert response.status_code == 303
    page = Page(client.get(response.headers["Location"]))
    bench_rows = page.all(f"#exercise-{t['bench'].id} [data-set-rows] > li")
    squat_rows = page.all(f"#exercise-{t['squat'].id} [data-set-rows] > li")
    assert len(bench_rows) == 3 and len(squat_rows) == 2
    assert "last: 77.5 × 5" in page.text(f"#set-{t['squat'].id}-0")
    assert "last: 80 × 5" in page.text(f"#set-{t['squat'].id}-1")
    assert page.one(f"#set-{t['squat'].id}-1 input[name=load]").get("value") == "80"
    assert page.one(f"#set-{t['bench'].id}-0 input[name=load]").get("value") == "60"
    assert page.one(f"#set-{t['bench'].id}-0 input[name=reps]").get("value") == "8"


def test_one_tap_logs_a_set_and_answers_with_its_row(client, t):
    s = new_session(t)
    log(s, t, "bench", 60, 8, 0)
    login(client, t["coach"])
    set_id = str(uuid.uuid4())
    form = {"set_id": set_id, "exercise": t["bench"].id, "position": 1, "reps": 8, "load": "62.5"}
    response = client.post(f"/coach/{s.studio.slug}/sessions/{s.id}/sets", data=form, headers=HX)
    assert response.status_code == 200
    row = Page(response)
    assert row.one("li").get("id") == f"set-{t['bench'].id}-1"
    assert "62.5 kg × 8" in row.text() and "PR" in row.text()
    assert (row.one("li").get("data-rest") == "120"
            and row.one("li").get("data-rest-start") is not None)
    # The same tap again (a retry, a double tap, a queued replay) changes nothing.
    again = client.post(f"/coach/{s.studio.slug}/sessions/{s.id}/sets", data=form, headers=HX)
    assert again.status_code == 200 and sets_count() == 2


def test_bad_input_answers_422_in_the_row_and_saves_nothing(client, t):
    s = new_session(t)
    login(client, t["coach"])
    response = client.post(f"/coach/{s.studio.slug}/sessions/{s.id}/sets", headers=HX, data={
        "set_id": str(uuid.uuid4()), "exercise": t["bench"].id, "position": 0, "reps": "0",
        "load": "60"})
    assert response.status_code == 422
    assert "Reps must be a whole number" in Page(response).text(".set-error")
    assert sets_count() == 0


def test_a_set_of_an_exercise_not_in_the_library_says_so_in_the_logbook(client, t):
    s = new_session(t)
    login(client, t["coach"])
    response = client.post(f"/coach/{s.studio.slug}/sessions/{s.id}/sets", headers=HX, data={
        "set_id": str(uuid.uuid4()), "exercise": "2147483000", "position": 0, "reps": "8",
        "load": "60"})
    assert response.status_code == 404
    page = Page(response)
    assert page.all("#logbook") and page.text("#logbook [role=alert]")  # not a silent logbook
    assert sets_count() == 0


def test_undo_gives_the_row_back_and_a_replayed_undo_is_harmless(client, t):
    s = new_session(t)
    logged = log(s, t, "bench", 60, 8, 0)
    login(client, t["coach"])
    url = f"/coach/{s.studio.slug}/sessions/{s.id}/sets/{logged.id}/undo"
    form = {"exercise": t["bench"].id, "position": 0}
    first = client.post(url, data=form, headers=HX)
    assert first.status_code == 200 and sets_count() == 0
    assert Page(first).one("li form input[name=reps]") is not None
    assert client.post(url, data=form, headers=HX).status_code == 200


def test_without_htmx_the_tap_redirects_back_to_the_page(client, t):
    s = new_session(t)
    login(client, t["coach"])
    response = client.post(f"/coach/{s.studio.slug}/sessions/{s.id}/sets", data={
        "exercise": t["bench"].id, "position": 0, "reps": 8, "load": "60"})
    assert response.status_code == 303 and sets_count() == 1


def test_adding_an_exercise_on_the_day(client, t):
    s = new_session(t)
    login(client, t["coach"])
    plank = exercise("Plank")
    response = client.post(f"/coach/{s.studio.slug}/sessions/{s.id}/exercises",
                           data={"exercise": plank.id}, headers=HX)
    assert response.status_code == 200
    assert Page(response).all(f"#exercise-{plank.id}")


def test_finishing_returns_to_the_client(client, t):
    s = new_session(t)
    login(client, t["coach"])
    response = client.post(f"/coach/{s.studio.slug}/sessions/{s.id}/finish")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(TrainingSession, s.id).finished_at is not None


def test_the_profile_offers_the_next_plan_day(client, t):
    login(client, t["coach"])
    page = Page(client.get(f"/coach/{t['a'].slug}/clients/{t['nora'].id}"))
    option = page.one("#training select[name=workout] option[selected]")
    assert option.get("value") == str(t["day"].id)


def test_customers_and_other_studios_coaches_get_404(client, t):
    s = new_session(t)
    other_coach = staff(StudioFactory(), Role.TRAINER)
    for user in (t["nora"], other_coach):
        client.post("/logout")
        login(client, user)
        assert client.get(f"/coach/{s.studio.slug}/sessions/{s.id}/").status_code == 404
        assert client.post(f"/coach/{s.studio.slug}/sessions/{s.id}/sets", data={
            "exercise": t["bench"].id, "reps": 8, "load": 60}).status_code == 404
        assert client.post(
            f"/coach/{t['a'].slug}/clients/{t['nora'].id}/sessions").status_code == 404
    assert sets_count() == 0


def test_a_plan_day_of_another_client_cannot_be_started(client, t):
    other = UserFactory()
    db.session.add(StudioCustomer(studio_id=t["a"].id, user_id=other.id))
    login(client, t["coach"])
    response = client.post(f"/coach/{t['a'].slug}/clients/{other.id}/sessions",
                           data={"workout": t["day"].id})
    assert response.status_code == 404


def test_a_set_beyond_the_plan_repeats_the_set_logged_before(client, t):
    s = new_session(t, workout=None)
    sessions.add_exercise(s, t["a"], t["bench"].id)
    log(s, t, "bench", 70, 6, 0)
    login(client, t["coach"])
    page = Page(client.get(f"/coach/{s.studio.slug}/sessions/{s.id}/"))
    assert page.one(f"#set-{t['bench'].id}-1 input[name=load]").get("value") == "70"
    assert page.one(f"#set-{t['bench'].id}-1 input[name=reps]").get("value") == "6"


def test_a_finished_session_is_history_no_undo(client, t):
    s = new_session(t)
    logged = log(s, t, "bench", 60, 8, 0)
    sessions.finish_session(s)
    login(client, t["coach"])
    page = Page(client.get(f"/coach/{s.studio.slug}/sessions/{s.id}/"))
    assert page.all(f"#set-{t['bench'].id}-0 form") == []
    response = client.post(f"/coach/{s.studio.slug}/sessions/{s.id}/sets/{logged.id}/undo",
                           data={"exercise": t["bench"].id, "position": 0}, headers=HX)
    assert response.status_code == 409 and sets_count() == 1
    assert "This session is finished" in Page(response).text()
