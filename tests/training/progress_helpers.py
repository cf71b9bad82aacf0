"""Training history written straight into the tables (the logging services are not needed to
read it back): exercises, sessions with sets and their record flags, plans."""

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from app.extensions import db
from app.studios.models import StudioCustomer
from app.training.models import (
    Equipment,
    Exercise,
    LoggedSet,
    MuscleGroup,
    TrainingPlan,
    TrainingSession,
    Workout,
    WorkoutExercise,
    WorkoutSet,
)


def exercise(en: str, ar: str, studio=None, muscle=MuscleGroup.LEGS,
             equipment=Equipment.BARBELL) -> Exercise:
    row = Exercise(studio_id=studio.id if studio else None, name={"en": en, "ar": ar}, cues={},
                   muscle_group=muscle, equipment=equipment)
    db.session.add(row)
    db.session.flush()
    return row


def customer_of(studio, user) -> None:
    db.session.add(StudioCustomer(studio_id=studio.id, user_id=user.id))
    db.session.flush()


def workout_session(studio, client, at: datetime, sets, *, coach=None, workout=None
                    ) -> TrainingSession:
    """A session started at `at` with `sets` = [(exercise, reps, load, records), ...] logged two
    minutes apart."""
    session = TrainingSession(studio_id=studio.id, client_id=client.id, started_at=at,
                              coach_id=coach.id if coach else None,
                              workout_id=workout.id if workout else None,
                              finished_at=at + timedelta(minutes=2 * len(sets) + 1))
    db.session.add(session)
    db.session.flush()
    for position, (ex, reps, load, records) in enumerate(sets):
        db.session.add(LoggedSet(id=str(uuid.uuid4()), session_id=session.id, studio_id=studio.id,
                                 client_id=client.id, exercise_id=ex.id, position=position,
                                 reps=reps, load=Decimal(str(load)), records=list(records),
                                 logged_at=at + timedelta(minutes=2 * position)))
    db.session.flush()
    return session


def plan(studio, client, coach, title: str, days: dict, weeks: int = 2, days_per_week: int = 2
         ) -> TrainingPlan:
    """An active plan; `days` maps (week, day) to [(exercise, [(reps, load), ...]), ...]."""
    row = TrainingPlan(studio_id=studio.id, client_id=client.id,
                       coach_id=coach.id if coach else None, title=title, weeks=weeks,
                       days_per_week=days_per_week)
    db.session.add(row)
    db.session.flush()
    for (week, day), items in days.items():
        workout = Workout(studio_id=studio.id, plan_id=row.id, week=week, day=day, title="")
        db.session.add(workout)
        db.session.flush()
        for position, (ex, targets) in enumerate(items):
            item = WorkoutExercise(workout_id=workout.id, exercise_id=ex.id, position=position)
            db.session.add(item)
            db.session.flush()
            db.session.add_all(WorkoutSet(item_id=item.id, position=i, reps=reps,
                                          load=None if load is None else Decimal(str(load)))
                               for i, (reps, load) in enumerate(targets))
    db.session.flush()
    db.session.expire(row)
    return row
