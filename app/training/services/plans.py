"""Workout templates and clients' training plans: create them, edit a workout's exercises and
target sets in place, copy a template into a plan day and a day into every week.

The services take typed values (app/training/forms.py parses what coaches type). Every change
to a workout's exercises or sets first locks the workout row (SELECT … FOR UPDATE
on PostgreSQL), so two edits of the same workout take turns and positions stay 0..n-1.
"""

from decimal import Decimal

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.core.db import bounded_wait
from app.core.errors import NotFound
from app.extensions import db
from app.training.errors import NotAPlanDay, PlanArchived, WorkoutBusy
from app.training.models import (
    PlanStatus,
    TrainingPlan,
    Workout,
    WorkoutExercise,
    WorkoutSet,
)

NEW_SETS, NEW_REPS, NEW_REST = 3, 10, 90
NEW_SECONDS, NEW_METERS = 30, 400  # a new timed or distance set: a 30 s hold, 400 m


# --- Locks --------------------------------------------------------------------------------------


def lock_workouts(*workouts: Workout) -> None:
    """Serialise edits of these workouts for the rest of the transaction (ids in order, so two
    copies over the same weeks cannot deadlock); refuse edits of an archived plan."""
    ids = sorted({w.id for w in workouts})
    query = select(Workout.id).where(Workout.id.in_(ids)).order_by(Workout.id).with_for_update()
    with bounded_wait(current_app.config.get("WORKOUT_LOCK_TIMEOUT_MS", 3000), WorkoutBusy):
        found = db.session.scalars(query).all()
    if len(found) != len(ids):  # deleted by another edit meanwhile
        raise NotFound()
    for workout in workouts:
        db.session.refresh(workout)
        if workout.plan is not None and workout.plan.status == PlanStatus.ARCHIVED:
            raise PlanArchived()


def _items(workout: Workout) -> list[WorkoutExercise]:
    """The workout's exercises as committed now (read after the lock), in order."""
    return list(db.session.scalars(
        select(WorkoutExercise).where(WorkoutExercise.workout_id == workout.id)
        .order_by(WorkoutExercise.position, WorkoutExercise.id)
        .options(selectinload(WorkoutExercise.sets))
        .execution_options(populate_existing=True)))


def _renumber(rows) -> None:
    for position, row in enumerate(rows):
        row.position = position


def _done(workout: Workout, action: str, actor, **data) -> None:
    db.session.flush()
    db.session.expire(workout, ["items"])
    record(action, actor=actor, studio_id=workout.studio_id, subject=f"workout:{workout.id}",
           **data)


def _locked(workout: Workout, item: WorkoutExercise | None = None,
            set_: WorkoutSet | None = None) -> list[WorkoutExercise]:
    """Lock the workout and read its exercises afresh; an exercise or set that is not the
    workout's, or that another edit removed meanwhile, is a 404."""
    if item is not None and item.workout_id != workout.id:
        raise NotFound()
    lock_workouts(workout)
    items = _items(workout)
    if (item is not None and item not in items) or (set_ is not None and set_ not in item.sets):
        raise NotFound()
    return items


# --- Templates and plans ------------------------------------------------------------------------


def create_template(studio, title: str, *, actor) -> Workout:
    """A new, empty workout template of `studio` (`title` parsed, see forms.parse_title)."""
    workout = Workout(studio_id=studio.id, title=title,
                      created_by_id=actor.id if actor else None)
    db.session.add(workout)
    db.session.flush()
    record("workout_template.created", actor=actor, studio_id=studio.id,
           subject=f"workout:{workout.id}")
    return workout


def delete_template(template: Workout, *, actor) -> None:
    """Delete a template with its exercises and sets (plans copied from it keep their copies)."""
    if not template.is_template:
        raise NotAPlanDay()
    lock_workouts(template)
    db.session.delete(template)
    db.session.flush()
    record("workout_template.deleted", actor=actor, studio_id=template.studio_id,
           subject=f"workout:{template.id}")


def rename_workout(workout: Workout, title: str, *, actor) -> Workout:
    """A template's title (required) or a plan day's (optional, e.g. "Upper body")."""
    lock_workouts(workout)
    workout.title = title
    _done(workout, "workout.renamed", actor)
    return workout


def create_plan(studio, client, *, title: str, weeks: int, days_per_week: int,
                actor) -> TrainingPlan:
    """A plan for `client` with every week × day workout made now: a day has an id to edit and
    lock from the start, and GET pages never write (at most 52 × 7 small rows)."""
    plan = TrainingPlan(studio_id=studio.id, client_id=client.id,
                        coach_id=actor.id if actor else None,
                        title=title, weeks=weeks, days_per_week=days_per_week)
    db.session.add(plan)
    db.session.flush()
    db.session.add_all([Workout(studio_id=studio.id, plan_id=plan.id, week=w, day=d,
                                created_by_id=plan.coach_id)
                        for w in range(1, weeks + 1) for d in range(1, days_per_week + 1)])
    db.session.flush()
    record("training_plan.created", actor=actor, studio_id=studio.id, subject=f"plan:{plan.id}",
           client_id=client.id, weeks=weeks, days_per_week=days_per_week)
    return plan


def archive_plan(plan: TrainingPlan, *, actor) -> TrainingPlan:
    """Archive a plan: it stays readable, and can no longer be edited."""
    if plan.status != PlanStatus.ARCHIVED:
        plan.status = PlanStatus.ARCHIVED
        db.session.flush()
        record("training_plan.archived", actor=actor, studio_id=plan.studio_id,
               subject=f"plan:{plan.id}")
    return plan


# --- Exercises and sets of a workout ------------------------------------------------------------


def add_workout_exercise(workout: Workout, exercise, *, actor) -> WorkoutExercise:
    """Append a library exercise (built-in or the workout's studio's own) with three sets."""
    if exercise.studio_id not in (None, workout.studio_id):
        raise NotFound()
    items = _locked(workout)
    seconds = NEW_SECONDS if exercise.measure.timed else None
    meters = NEW_METERS if exercise.measure.has_distance else None
    reps = NEW_REPS if exercise.measure.counts_reps else 0
    item = WorkoutExercise(workout_id=workout.id, exercise_id=exercise.id, position=len(items),
                           rest_seconds=NEW_REST,
                           sets=[WorkoutSet(position=i, reps=reps, seconds=seconds, meters=meters)
                                 for i in range(NEW_SETS)])
    db.session.add(item)
    _done(workout, "workout.exercise_added", actor, exercise_id=exercise.id)
    return item


def remove_workout_exercise(workout: Workout, item: WorkoutExercise, *, actor) -> None:
    """Remove an exercise and its sets; the ones after it move up."""
    items = _locked(workout, item)
    db.session.delete(item)
    _renumber([i for i in items if i is not item])
    _done(workout, "workout.exercise_removed", actor, exercise_id=item.exercise_id)


def move_workout_exercise(workout: Workout, item: WorkoutExercise, offset: int, *, actor) -> None:
    """Move an exercise up (-1) or down (+1); at either end nothing changes."""
    items = _locked(workout, item)
    here = items.index(item)
    there = here + (1 if offset > 0 else -1)
    if 0 <= there < len(items):
        items[here], items[there] = items[there], items[here]
        _renumber(items)
    _done(workout, "workout.exercise_moved", actor, item_id=item.id, position=item.position)


def set_rest(workout: Workout, item: WorkoutExercise, rest: int, *, actor) -> WorkoutExercise:
    """Rest between the exercise's sets, in seconds."""
    _locked(workout, item)
    item.rest_seconds = rest
    _done(workout, "workout.rest_set", actor, item_id=item.id, rest_seconds=rest)
    return item


def add_set(workout: Workout, item: WorkoutExercise, *, actor) -> WorkoutSet:
    """Append a set repeating the last one's reps and load."""
    _locked(workout, item)
    last = item.sets[-1] if item.sets else None
    new = WorkoutSet(item_id=item.id, position=len(item.sets),
                     reps=last.reps if last else NEW_REPS, load=last.load if last else None,
                     seconds=last.seconds if last else None, meters=last.meters if last else None)
    db.session.add(new)
    _done(workout, "workout.set_added", actor, item_id=item.id)
    db.session.expire(item, ["sets"])
    return new


def remove_set(workout: Workout, item: WorkoutExercise, set_: WorkoutSet, *, actor) -> None:
    """Remove a set; the ones after it move up."""
    _locked(workout, item, set_)
    db.session.delete(set_)
    _renumber([s for s in item.sets if s is not set_])
    _done(workout, "workout.set_removed", actor, item_id=item.id)
    db.session.expire(item, ["sets"])


def update_set(workout: Workout, item: WorkoutExercise, set_: WorkoutSet, *, reps: int,
               load: Decimal | None, actor, seconds: int | None = None,
               meters: int | None = None) -> WorkoutSet:
    """A set's target as its exercise measures it: reps and load (in the studio's unit; None
    for no load), or seconds and/or meters."""
    _locked(workout, item, set_)
    set_.reps, set_.load, set_.seconds, set_.meters = reps, load, seconds, meters
    _done(workout, "workout.set_changed", actor, set_id=set_.id, reps=reps,
          load=None if load is None else str(load), seconds=seconds, meters=meters)
    return set_


# --- Copies -------------------------------------------------------------------------------------


def _copy_items(items: list[WorkoutExercise], target: Workout, start: int) -> None:
    db.session.add_all([
        WorkoutExercise(workout_id=target.id, exercise_id=item.exercise_id, position=start + n,
                        rest_seconds=item.rest_seconds,
                        sets=[WorkoutSet(position=s.position, reps=s.reps, load=s.load,
                                         seconds=s.seconds, meters=s.meters)
                              for s in item.sets])
        for n, item in enumerate(items)])


def copy_template_into(template: Workout, day: Workout, *, actor) -> Workout:
    """Add a template's exercises and sets after the day's own (an empty day takes its title)."""
    if not template.is_template or template.studio_id != day.studio_id:
        raise NotFound()
    if day.is_template:
        raise NotAPlanDay()
    items = _locked(day)
    _copy_items(_items(template), day, start=len(items))
    if not day.title:
        day.title = template.title
    _done(day, "workout.template_copied", actor, template_id=template.id)
    return day


def copy_day_to_every_week(day: Workout, *, actor) -> int:
    """Make the same day of every other week of the plan a copy of this one (its exercises,
    sets and title replace theirs). Returns how many days changed."""
    if day.is_template:
        raise NotAPlanDay()
    targets = db.session.scalars(
        select(Workout).where(Workout.plan_id == day.plan_id, Workout.day == day.day,
                              Workout.id != day.id).order_by(Workout.week)).all()
    lock_workouts(day, *targets)
    items = _items(day)
    db.session.execute(delete(WorkoutExercise).where(
        WorkoutExercise.workout_id.in_([t.id for t in targets])))
    for target in targets:
        _copy_items(items, target, start=0)
        target.title = day.title
        db.session.expire(target, ["items"])
    _done(day, "workout.day_copied_to_weeks", actor, weeks=len(targets))
    return len(targets)
