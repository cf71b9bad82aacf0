"""What an exercise measures: a plank is held for a time, a run covers a distance in a time, a
carry a distance. Plans' targets, the logger and personal records follow the measure."""

import uuid
from datetime import timedelta

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.studios.models import Role
from app.studios.services import ensure_customer
from app.training.models import Exercise, LoggedSet, Measure, RecordKind
from app.training.services import plans, sessions
from app.training.services.library import seed_library
from tests.conftest import login
from tests.factories import StudioFactory, UserFactory, staff
from tests.pages import Page, text_of

HX = {"HX-Request": "true"}


def builtin(name: str) -> Exercise:
    seed_library()
    return db.session.scalar(select(Exercise).where(Exercise.studio_id.is_(None),
                                                    Exercise.name["en"].as_string() == name))


@pytest.fixture
def t(app, client):
    studio = StudioFactory()
    coach = staff(studio, Role.TRAINER)
    nora = UserFactory(name="Nora Haddad")
    ensure_customer(studio, nora)
    db.session.commit()
    login(client, coach)
    return dict(studio=studio, coach=coach, nora=nora)


def test_the_built_in_library_knows_what_each_exercise_measures(app):
    assert builtin("Plank").measure == Measure.TIME
    assert builtin("Treadmill run").measure == Measure.TIME_DISTANCE
    assert builtin("Farmer's carry").measure == Measure.DISTANCE
    assert builtin("Push-up").measure == Measure.REPS
    assert builtin("Bench press").measure == Measure.REPS_LOAD


def log(t, session, exercise, **values):
    logged, _new = sessions.log_set(session, t["studio"], set_id=str(uuid.uuid4()),
                                    exercise_id=exercise.id, position=0,
                                    reps=values.pop("reps", 0), load=values.pop("load", 0),
                                    **values)
    return logged.records


def test_records_follow_the_measure(t):
    session = sessions.start_session(t["studio"], t["nora"], coach=t["coach"])
    plank, carry, run = builtin("Plank"), builtin("Farmer's carry"), builtin("Treadmill run")
    assert log(t, session, plank, seconds=60) == []  # a baseline
    assert log(t, session, plank, seconds=90) == [RecordKind.HOLD]  # longest hold
    assert log(t, session, plank, seconds=80) == []
    assert log(t, session, carry, meters=100) == []
    assert log(t, session, carry, meters=150) == [RecordKind.DISTANCE]  # longest distance
    assert log(t, session, run, meters=1000, seconds=300) == []
    assert log(t, session, run, meters=1000, seconds=280) == [RecordKind.PACE]  # fastest 1 km
    assert log(t, session, run, meters=800, seconds=290) == []  # slower than 1 km in 280
    assert log(t, session, run, meters=2000, seconds=700) == [RecordKind.PACE,
                                                              RecordKind.DISTANCE]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_logger_takes_a_plank_in_seconds(client, t, lang):
    plank = builtin("Plank")
    session = sessions.start_session(t["studio"], t["nora"], coach=t["coach"])
    sessions.add_exercise(session, t["studio"], plank.id)
    db.session.commit()
    url = f"/coach/{t['studio'].slug}/sessions/{session.id}/"
    page = Page(client.get(f"{url}?lang={lang}"))
    fields = page.all(f"#set-{plank.id}-0 input")
    names = {e.get("name") for e in fields}
    assert "seconds" in names and "reps" not in names and "load" not in names
    with force_locale(lang):
        assert _("Seconds, set %(n)s", n=1) in [e.get("aria-label") for e in fields]
    answer = client.post(f"{url}sets?lang={lang}", headers=HX, data={
        "set_id": str(uuid.uuid4()), "exercise": plank.id, "position": 0, "seconds": "1:30"})
    assert answer.status_code == 200
    logged = db.session.scalar(select(LoggedSet).where(LoggedSet.exercise_id == plank.id))
    assert (logged.seconds, logged.reps, logged.meters) == (90, 0, None)
    assert "1:30" in text_of(Page(answer).one("li"))
    bad = client.post(f"{url}sets?lang={lang}", headers=HX, data={
        "set_id": str(uuid.uuid4()), "exercise": plank.id, "position": 1, "seconds": "1:75"})
    assert bad.status_code == 422
    with force_locale(lang):
        assert _("The time must be seconds (or minutes:seconds) from 1 second to %(hours)s hours.",
                 hours=24) in bad.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_plans_target_sets_follow_the_measure(client, t, lang):
    run = builtin("Treadmill run")
    template = plans.create_template(t["studio"], "Cardio", actor=t["coach"])
    item = plans.add_workout_exercise(template, run, actor=t["coach"])
    db.session.commit()
    assert [(s.reps, s.seconds, s.meters) for s in item.sets] == [(0, 30, 400)] * 3
    url = f"/coach/{t['studio'].slug}/workouts/{template.id}/exercises/{item.id}"
    page = Page(client.get(f"/coach/{t['studio'].slug}/workouts/{template.id}?lang={lang}"))
    inputs = {e.get("name") for e in page.all(f"#workout-item-{item.id} input")}
    assert {"seconds", "meters"} <= inputs and "reps" not in inputs and "load" not in inputs
    answer = client.post(f"{url}/sets/{item.sets[0].id}?lang={lang}", headers=HX,
                         data={"seconds": "25:00", "meters": "5000"})
    assert answer.status_code == 200
    db.session.expire_all()
    assert (item.sets[0].seconds, item.sets[0].meters) == (1500, 5000)
    bad = client.post(f"{url}/sets/{item.sets[0].id}?lang={lang}", headers=HX,
                      data={"seconds": "25:00", "meters": "far"})
    assert bad.status_code == 422
    with force_locale(lang):
        assert _("The distance must be a whole number of meters from 1 to %(max)s.",
                 max=1_000_000) in bad.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_progress_charts_follow_the_measure(client, t, lang):
    """Holds, distances and paces get their own charts: a plank's longest hold per day, a
    carry's longest distance, a run's fastest pace (the slower run of a day is not its point)."""
    plank, carry, run = builtin("Plank"), builtin("Farmer's carry"), builtin("Treadmill run")
    for days_ago, hold, pace_s in ((8, 60, 330), (1, 95, 300)):
        session = sessions.start_session(t["studio"], t["nora"], coach=t["coach"])
        session.started_at -= timedelta(days=days_ago)
        log(t, session, plank, seconds=hold)
        log(t, session, plank, seconds=hold - 20)
        log(t, session, carry, meters=hold * 2)
        log(t, session, run, meters=1000, seconds=pace_s)
        log(t, session, run, meters=2000, seconds=pace_s * 2 + 100)  # slower per km
    db.session.commit()
    page = Page(client.get(f"/coach/{t['studio'].slug}/clients/{t['nora'].id}/training"
                           f"?lang={lang}"))
    with force_locale(lang):
        titles = [_("Longest hold"), _("Longest distance"), _("Fastest pace")]
        for chart_id, title in zip(("hold", "distance", "pace"), titles, strict=True):
            assert page.text(f"#chart-{chart_id}-title") == title
            assert page.one(f"#chart-{chart_id} svg") is not None
        hold = page.text("#chart-hold table")
        assert "1:35" in hold and "1:00" in hold and "0:40" not in hold
        distances = " ".join(text_of(table) for table in page.all("#chart-distance table"))
        assert _("%(num)s m", num="190") in distances  # the carry
        assert _("%(num)s m", num="2,000") in distances  # the run's longest
        assert _("%(time)s per km", time="5:00") in page.text("#chart-pace table")
        assert _("%(time)s per km", time="6:20") not in page.text("#chart-pace table")
    assert len(page.all("#chart-hold svg .chart-point")) == 2  # one point per day
