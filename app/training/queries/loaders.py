"""Read helpers and loaders: the exercise library, workout templates and training plans."""

from flask import abort
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.core.db import get_in_studio_or_404
from app.core.i18n import translated
from app.extensions import db
from app.training.models import (
    Exercise,
    MuscleGroup,
    TrainingPlan,
    Workout,
    WorkoutExercise,
    WorkoutSet,
)


def parse_muscle_group(value: str | None) -> MuscleGroup | None:
    """The muscle group named in a query string, or None (any) for a blank or unknown value."""
    try:
        return MuscleGroup(value) if value else None
    except ValueError:
        return None


def list_exercises(studios, search: str = "", muscle_group: MuscleGroup | None = None
                   ) -> list[Exercise]:
    """Built-in exercises plus those of `studios`, narrowed by muscle group and by a search in
    either language, sorted by the name shown."""
    query = select(Exercise).where(or_(Exercise.studio_id.is_(None),
                                       Exercise.studio_id.in_([s.id for s in studios])))
    if muscle_group:
        query = query.where(Exercise.muscle_group == muscle_group)
    rows = db.session.scalars(query).all()
    # Names are JSON maps: matching in Python covers both languages on every database.
    needle = search.strip().casefold()
    if needle:
        rows = [e for e in rows if any(needle in (t or "").casefold() for t in e.name.values())]
    return sorted(rows, key=lambda e: (translated(e.name).casefold(), e.id))


# --- Workouts and plans -------------------------------------------------------------------------


def get_workout_or_404(studio, workout_id: int) -> Workout:
    """A template or plan day of `studio`; anything else is a 404."""
    return get_in_studio_or_404(Workout, studio, workout_id)


def get_plan_or_404(studio, plan_id: int) -> TrainingPlan:
    return get_in_studio_or_404(TrainingPlan, studio, plan_id)


def get_item_or_404(workout: Workout, item_id: int) -> WorkoutExercise:
    """One exercise of this workout (another workout's is a 404)."""
    item = db.session.get(WorkoutExercise, item_id)
    if item is None or item.workout_id != workout.id:
        abort(404)
    return item


def get_set_or_404(item: WorkoutExercise, set_id: int) -> WorkoutSet:
    set_ = db.session.get(WorkoutSet, set_id)
    if set_ is None or set_.item_id != item.id:
        abort(404)
    return set_


def get_library_exercise_or_404(studio, exercise_id: int) -> Exercise:
    """A built-in exercise or one of `studio`'s own; another studio's is a 404."""
    exercise = db.session.get(Exercise, exercise_id)
    if exercise is None or exercise.studio_id not in (None, studio.id):
        abort(404)
    return exercise


def workout_items(workout: Workout) -> list[WorkoutExercise]:
    """The workout's exercises in order, with their library exercise and sets (three queries)."""
    return db.session.scalars(
        select(WorkoutExercise).where(WorkoutExercise.workout_id == workout.id)
        .order_by(WorkoutExercise.position, WorkoutExercise.id)
        .options(selectinload(WorkoutExercise.exercise), selectinload(WorkoutExercise.sets))
    ).all()


def exercise_counts(workout_ids) -> dict[int, int]:
    """How many exercises each workout has (workouts without any are absent)."""
    return dict(db.session.execute(
        select(WorkoutExercise.workout_id, func.count())
        .where(WorkoutExercise.workout_id.in_(list(workout_ids)))
        .group_by(WorkoutExercise.workout_id)).all())


def list_templates(studios) -> list[Workout]:
    """The workout templates of `studios`, by title."""
    return db.session.scalars(
        select(Workout).where(Workout.studio_id.in_([s.id for s in studios]),
                              Workout.plan_id.is_(None))
        .order_by(func.lower(Workout.title), Workout.id)).all()


def list_client_plans(studio, client) -> list[TrainingPlan]:
    """A client's plans in `studio`: active ones first, newest first."""
    return db.session.scalars(
        select(TrainingPlan).where(TrainingPlan.studio_id == studio.id,
                                   TrainingPlan.client_id == client.id)
        .order_by(TrainingPlan.status, TrainingPlan.created_at.desc(), TrainingPlan.id.desc())
    ).all()


def plan_weeks(plan: TrainingPlan) -> list[list[Workout]]:
    """The plan's days as rows of weeks (two queries, whatever the plan's size)."""
    days = db.session.scalars(select(Workout).where(Workout.plan_id == plan.id)
                              .order_by(Workout.week, Workout.day)).all()
    weeks: dict[int, list[Workout]] = {}
    for day in days:
        weeks.setdefault(day.week, []).append(day)
    return list(weeks.values())


def neighbour_days(day: Workout) -> tuple[Workout | None, Workout | None]:
    """The plan days before and after `day` (across weeks), for stepping through a plan."""
    key = day.week * 100 + day.day
    order = Workout.week * 100 + Workout.day
    base = select(Workout).where(Workout.plan_id == day.plan_id)
    before = db.session.scalar(base.where(order < key).order_by(order.desc()).limit(1))
    after = db.session.scalar(base.where(order > key).order_by(order).limit(1))
    return before, after
