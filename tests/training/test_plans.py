"""Workout templates and training plans, the services: dense positions through every edit,
copies of templates and days, validation that saves nothing, audit events."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.core.errors import NotFound
from app.extensions import db
from app.studios.models import Role
from app.studios.services import ensure_customer
from app.training.errors import (
    NotAPlanDay,
    PlanArchived,
)
from app.training.models import Exercise, PlanStatus, Workout, WorkoutExercise, WorkoutSet
from app.training.queries.loaders import plan_weeks, workout_items
from app.training.services import plans
from app.training.services.library import add_exercise
from tests.factories import StudioFactory, UserFactory, staff


def builtin(name: str) -> Exercise:
    exercise = Exercise(studio_id=None, name={"en": name, "ar": name}, cues={},
                        muscle_group="legs", equipment="barbell")
    db.session.add(exercise)
    db.session.flush()
    return exercise


@pytest.fixture
def t(app):
    """Studio A with a coach, a client, two built-in exercises and one of its own; studio B's
    own exercise."""
    a, b = StudioFactory(), StudioFactory()
    coach = staff(a, Role.TRAINER)
    client = UserFactory(name="Nora Haddad")
    ensure_customer(a, client)
    squat, press = builtin("Back squat"), builtin("Bench press")
    sled = add_exercise(a, name={"en": "Sled push"}, cues={}, muscle_group="legs",
                        equipment="other")
    foreign = add_exercise(b, name={"en": "Secret move"}, cues={}, muscle_group="core",
                           equipment="band")
    return dict(a=a, b=b, coach=coach, client=client, squat=squat, press=press, sled=sled,
                foreign=foreign)


def fresh(workout) -> list[WorkoutExercise]:
    db.session.expire_all()
    return workout_items(workout)


def layout(workout) -> list[tuple]:
    """(exercise name, position, [(set position, reps, load)]) in order, as stored."""
    return [(i.exercise.name["en"], i.position, [(s.position, s.reps, s.load) for s in i.sets])
            for i in fresh(workout)]


def positions(workout) -> list[int]:
    return [i.position for i in fresh(workout)]


def template_with(t, *exercises) -> Workout:
    template = plans.create_template(t["a"], "Legs day", actor=t["coach"])
    for exercise in exercises:
        plans.add_workout_exercise(template, exercise, actor=t["coach"])
    return template


def test_adding_exercises_appends_them_with_three_sets_in_dense_positions(t):
    template = template_with(t, t["squat"], t["sled"], t["press"])
    rows = layout(template)
    assert [(n, p) for n, p, _s in rows] == [("Back squat", 0), ("Sled push", 1),
                                             ("Bench press", 2)]
    assert rows[0][2] == [(0, 10, None), (1, 10, None), (2, 10, None)]
    assert fresh(template)[0].rest_seconds == 90


def test_a_foreign_studios_exercise_cannot_be_added(t):
    template = template_with(t)
    with pytest.raises(NotFound):
        plans.add_workout_exercise(template, t["foreign"], actor=t["coach"])
    assert fresh(template) == []


def test_removing_and_moving_keep_positions_dense(t):
    template = template_with(t, t["squat"], t["sled"], t["press"], t["squat"])
    items = fresh(template)
    plans.remove_workout_exercise(template, items[1], actor=t["coach"])
    assert [(n, p) for n, p, _s in layout(template)] == [
        ("Back squat", 0), ("Bench press", 1), ("Back squat", 2)]
    items = fresh(template)
    plans.move_workout_exercise(template, items[1], -1, actor=t["coach"])
    assert [n for n, _p, _s in layout(template)] == ["Bench press", "Back squat", "Back squat"]
    items = fresh(template)
    plans.move_workout_exercise(template, items[0], -1, actor=t["coach"])  # already first
    plans.move_workout_exercise(template, items[2], 1, actor=t["coach"])  # already last
    plans.move_workout_exercise(template, items[0], 1, actor=t["coach"])
    assert [n for n, _p, _s in layout(template)] == ["Back squat", "Bench press", "Back squat"]
    assert positions(template) == [0, 1, 2]
    # The removed exercise's sets went with it.
    assert db.session.scalar(select(func.count()).select_from(WorkoutSet).join(WorkoutExercise)
                             .where(WorkoutExercise.workout_id == template.id)) == 9


def test_sets_copy_the_previous_one_and_stay_dense(t):
    template = template_with(t, t["squat"])
    item = fresh(template)[0]
    last = item.sets[-1]
    plans.update_set(template, item, last, reps=5, load=Decimal("102.5"), actor=t["coach"])
    plans.add_set(template, item, actor=t["coach"])
    sets = layout(template)[0][2]
    assert sets[-1] == (3, 5, Decimal("102.50")) and len(sets) == 4
    item = fresh(template)[0]
    plans.remove_set(template, item, item.sets[1], actor=t["coach"])
    assert [s[0] for s in layout(template)[0][2]] == [0, 1, 2]
    item = fresh(template)[0]
    for s in list(item.sets):
        plans.remove_set(template, fresh(template)[0], db.session.get(WorkoutSet, s.id),
                         actor=t["coach"])
    plans.add_set(template, fresh(template)[0], actor=t["coach"])  # none left: the defaults
    assert layout(template)[0][2] == [(0, 10, None)]


def test_a_plan_has_every_week_and_day(t):
    plan = plans.create_plan(t["a"], t["client"], title="Get strong", weeks=4,
                             days_per_week=3, actor=t["coach"])
    weeks = plan_weeks(plan)
    assert plan.title == "Get strong" and plan.coach_id == t["coach"].id
    assert [[(d.week, d.day) for d in w] for w in weeks] == [
        [(w, d) for d in (1, 2, 3)] for w in (1, 2, 3, 4)]
    assert all(d.studio_id == t["a"].id and d.title == "" for w in weeks for d in w)
    big = plans.create_plan(t["a"], t["client"], title="Year", weeks=52, days_per_week=7,
                            actor=t["coach"])
    assert sum(len(w) for w in plan_weeks(big)) == 364


def test_copying_a_template_into_a_day_appends_its_exercises_and_sets(t):
    template = template_with(t, t["squat"], t["press"])
    item = fresh(template)[0]
    plans.update_set(template, item, item.sets[0], reps=5, load=Decimal("80"), actor=t["coach"])
    plans.set_rest(template, item, 180, actor=t["coach"])
    plan = plans.create_plan(t["a"], t["client"], title="Block", weeks=2, days_per_week=2,
                             actor=t["coach"])
    day = plan_weeks(plan)[0][1]
    plans.add_workout_exercise(day, t["sled"], actor=t["coach"])
    plans.copy_template_into(template, day, actor=t["coach"])
    rows = layout(day)
    assert [(n, p) for n, p, _s in rows] == [("Sled push", 0), ("Back squat", 1),
                                             ("Bench press", 2)]
    assert rows[1][2][0] == (0, 5, Decimal("80.00")) and fresh(day)[1].rest_seconds == 180
    assert day.title == "Legs day"
    # The day owns its copy: editing it leaves the template alone.
    copy = fresh(day)[1]
    plans.update_set(day, copy, copy.sets[0], reps=3, load=Decimal("90"), actor=t["coach"])
    assert layout(template)[0][2][0] == (0, 5, Decimal("80.00"))
    with pytest.raises(NotAPlanDay):
        plans.copy_template_into(template, template_with(t), actor=t["coach"])


def test_copying_a_day_to_every_week_replaces_that_day_elsewhere_only(t):
    plan = plans.create_plan(t["a"], t["client"], title="Block", weeks=3, days_per_week=2,
                             actor=t["coach"])
    weeks = plan_weeks(plan)
    source, other_day = weeks[0][0], weeks[0][1]
    for exercise in (t["squat"], t["press"]):
        plans.add_workout_exercise(source, exercise, actor=t["coach"])
    plans.rename_workout(source, "Heavy", actor=t["coach"])
    plans.add_workout_exercise(weeks[2][0], t["sled"], actor=t["coach"])  # will be replaced
    plans.add_workout_exercise(other_day, t["sled"], actor=t["coach"])  # another day: kept
    item = fresh(source)[1]
    plans.update_set(source, item, item.sets[2], reps=4, load=Decimal("70.5"), actor=t["coach"])

    assert plans.copy_day_to_every_week(source, actor=t["coach"]) == 2
    expected = layout(source)
    for week in (1, 2):
        assert layout(weeks[week][0]) == expected
        assert weeks[week][0].title == "Heavy"
    assert [n for n, _p, _s in layout(other_day)] == ["Sled push"]
    # Copying again changes nothing more (no duplicates).
    plans.copy_day_to_every_week(source, actor=t["coach"])
    assert layout(weeks[2][0]) == expected
    with pytest.raises(NotAPlanDay):
        plans.copy_day_to_every_week(template_with(t), actor=t["coach"])


def test_an_archived_plan_can_no_longer_be_changed(t):
    plan = plans.create_plan(t["a"], t["client"], title="Done", weeks=1, days_per_week=1,
                             actor=t["coach"])
    day = plan_weeks(plan)[0][0]
    plans.add_workout_exercise(day, t["squat"], actor=t["coach"])
    plans.archive_plan(plan, actor=t["coach"])
    assert plan.status == PlanStatus.ARCHIVED
    item = fresh(day)[0]
    for change in (lambda: plans.add_workout_exercise(day, t["press"], actor=t["coach"]),
                   lambda: plans.add_set(day, item, actor=t["coach"]),
                   lambda: plans.update_set(day, item, item.sets[0], reps=3, load=None,
                                            actor=t["coach"]),
                   lambda: plans.rename_workout(day, "Later", actor=t["coach"])):
        with pytest.raises(PlanArchived) as caught:
            change()
        assert caught.value.status == 409
    assert [len(i.sets) for i in fresh(day)] == [3]


def test_deleting_a_template_keeps_plan_copies(t):
    template = template_with(t, t["squat"])
    plan = plans.create_plan(t["a"], t["client"], title="P", weeks=1, days_per_week=1,
                             actor=t["coach"])
    day = plan_weeks(plan)[0][0]
    plans.copy_template_into(template, day, actor=t["coach"])
    template_id = template.id
    plans.delete_template(template, actor=t["coach"])
    db.session.expire_all()
    assert db.session.get(Workout, template_id) is None
    assert [n for n, _p, _s in layout(day)] == ["Back squat"]


def test_every_change_is_audited_with_the_coach(t):
    template = template_with(t, t["squat"])
    item = fresh(template)[0]
    plans.update_set(template, item, item.sets[0], reps=6, load=None, actor=t["coach"])
    actions = db.session.execute(select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.subject)
                                 .where(AuditEvent.studio_id == t["a"].id)
                                 .order_by(AuditEvent.id)).all()
    subject = f"workout:{template.id}"
    assert [(a, s) for a, _actor, s in actions][-3:] == [
        ("workout_template.created", subject), ("workout.exercise_added", subject),
        ("workout.set_changed", subject)]
    assert {actor for _a, actor, _s in actions[-3:]} == {t["coach"].id}
