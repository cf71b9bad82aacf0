"""Two coaches (or two tabs) add exercises to the same workout at once: real PostgreSQL
transactions on separate connections. With the workout row lock every exercise gets its own
position; the negative control switches the lock off and forces the worst interleaving (both
read the workout before either writes): two exercises share a position, which the lock prevents.
"""

import threading
import uuid

import pytest
from sqlalchemy import delete, select

from app.extensions import db
from app.training.models import Exercise, Workout, WorkoutExercise
from app.training.services import plans
from tests.concurrency import run_at_once
from tests.factories import StudioFactory, UserFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("concurrency")]
N = 6


@pytest.fixture
def workout(app):
    """A committed studio, a template holding one exercise, N exercises; removed afterwards."""
    with app.app_context():
        studio = StudioFactory(slug=f"race-{uuid.uuid4().hex[:8]}")
        coach = UserFactory()
        exercises = [Exercise(studio_id=studio.id, name={"en": f"Move {i}"}, cues={},
                              muscle_group="legs", equipment="other") for i in range(N)]
        db.session.add_all(exercises)
        template = plans.create_template(studio, "Race", actor=coach)
        plans.add_workout_exercise(template, exercises[0], actor=coach)
        db.session.commit()
        ids = template.id, coach.id, [e.id for e in exercises]
    yield ids
    with app.app_context():
        db.session.execute(delete(WorkoutExercise).where(WorkoutExercise.workout_id == ids[0]))
        db.session.commit()
        db.engine.dispose()


def add_all_at_once(app, workout_id, coach_id, exercise_ids):
    def add(exercise_id):
        from app.accounts.models import User

        template = db.session.get(Workout, workout_id)
        exercise = db.session.get(Exercise, exercise_id)
        return plans.add_workout_exercise(template, exercise,
                                          actor=db.session.get(User, coach_id)).id

    return run_at_once(app, add, [(eid,) for eid in exercise_ids])


def stored_positions(app, workout_id) -> list[int]:
    with app.app_context():
        return db.session.scalars(select(WorkoutExercise.position)
                                  .where(WorkoutExercise.workout_id == workout_id)
                                  .order_by(WorkoutExercise.position)).all()


def slow_reader(monkeypatch, wait):
    """Every add reads the workout's exercises, then `wait`s before writing its own."""
    real = plans._items

    def read_then_wait(workout):
        rows = real(workout)
        wait()
        return rows

    monkeypatch.setattr(plans, "_items", read_then_wait)


def test_concurrent_adds_each_get_their_own_position(app, workout, monkeypatch):
    workout_id, coach_id, exercise_ids = workout
    everyone = threading.Barrier(N)

    def wait_for_the_others():
        # Without the lock all N readers meet here and write on the same snapshot (the test
        # fails); with it they arrive one at a time, the first wait breaks the barrier and the
        # rest pass straight through.
        try:
            everyone.wait(timeout=1)
        except threading.BrokenBarrierError:
            pass

    slow_reader(monkeypatch, wait_for_the_others)
    results, errors = add_all_at_once(app, workout_id, coach_id, exercise_ids)
    assert errors == [] and len(results) == N
    assert stored_positions(app, workout_id) == list(range(N + 1))


def test_negative_control_without_the_lock_two_exercises_share_a_position(app, workout,
                                                                          monkeypatch):
    workout_id, coach_id, exercise_ids = workout
    readers = threading.Barrier(2)
    monkeypatch.setattr(plans, "lock_workouts", lambda *workouts: None)
    slow_reader(monkeypatch, lambda: readers.wait(timeout=30))  # both read before either writes
    results, errors = add_all_at_once(app, workout_id, coach_id, exercise_ids[:2])
    assert errors == [] and len(results) == 2
    assert stored_positions(app, workout_id) == [0, 1, 1], (
        "without the lock the race should collide")


def test_a_locked_workout_answers_busy_instead_of_hanging(app, workout):
    """Another transaction holds the workout row: the edit gives up after the lock timeout."""
    from app.accounts.models import User
    from app.training.errors import WorkoutBusy

    workout_id, coach_id, exercise_ids = workout
    app.config["WORKOUT_LOCK_TIMEOUT_MS"] = 300
    with app.app_context():
        conn = db.engine.connect()
        tx = conn.begin()
        conn.execute(select(Workout.id).where(Workout.id == workout_id).with_for_update())
        try:
            template = db.session.get(Workout, workout_id)
            with pytest.raises(WorkoutBusy):
                plans.add_workout_exercise(template, db.session.get(Exercise, exercise_ids[1]),
                                           actor=db.session.get(User, coach_id))
            db.session.rollback()
        finally:
            tx.rollback()
            conn.close()
            app.config.pop("WORKOUT_LOCK_TIMEOUT_MS")
    assert stored_positions(app, workout_id) == [0]
