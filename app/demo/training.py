"""Demo training history: ten weeks of logged workouts for the demo customer in Riyadh (the last
ones from a four-week plan), a few in Toronto, with personal records flagged as the tablet would.

Idempotent: a studio's history is written only while the customer has no session there.
"""

import random
import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.accounts.models import User
from app.core.db import utcnow
from app.extensions import db
from app.studios.models import Studio
from app.training.models import (
    Exercise,
    LoggedSet,
    RecordKind,
    TrainingPlan,
    TrainingSession,
    Workout,
    WorkoutExercise,
    WorkoutSet,
    estimated_1rm,
)

# Two alternating days: (English name, sets, reps, starting load in kg or None, weekly step).
DAY_A = [("Back squat", 3, 5, 60, 2.5), ("Bench press", 3, 5, 40, 1.25),
         ("Barbell row", 3, 8, 40, 1.25)]
DAY_B = [("Deadlift", 2, 5, 80, 5), ("Overhead press", 3, 5, 25, 0.5), ("Pull-up", 3, 5, None, 0)]
PLAN_DAYS = [DAY_A, DAY_B, DAY_A]


def seed_training_history(customer: User, studio: Studio, coach: User, *, weeks: int = 10,
                          with_plan: bool = True, seed: int = 11) -> int:
    """Write `weeks` of twice-weekly sessions for `customer` in `studio`; returns how many."""
    if db.session.scalar(select(TrainingSession.id).limit(1).where(
            TrainingSession.studio_id == studio.id, TrainingSession.client_id == customer.id)):
        return 0
    rng = random.Random(seed)
    names = {e.name.get("en"): e for e in db.session.scalars(
        select(Exercise).where(Exercise.studio_id.is_(None)))}
    tz = ZoneInfo(studio.locations[0].timezone)
    today = utcnow().astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    days = [d for w in range(weeks - 1, -1, -1) for d in (monday - timedelta(weeks=w),
                                                         monday - timedelta(weeks=w, days=-3))
            if d < today]
    plan_days = _plan(studio, customer, coach, names) if with_plan else []
    # The plan began two weeks ago: the last four sessions were its first four days.
    planned = dict(zip(days[-4:], plan_days, strict=False)) if plan_days else {}
    best: dict = {}
    made = 0
    for n, day in enumerate(days):
        workout = planned.get(day)
        exercises = PLAN_DAYS[workout.day - 1] if workout else (DAY_A, DAY_B)[n % 2]
        if not workout and rng.random() < 0.12:
            continue  # a missed session now and then
        started = datetime.combine(day, time(18, rng.choice((0, 15, 30))), tz)
        _session(studio, customer, coach, started, exercises, n // 2, workout, names, best, rng)
        made += 1
    db.session.flush()
    return made


def _plan(studio, customer, coach, names) -> list[Workout]:
    title = "أساسيات القوة" if studio.default_language == "ar" else "Strength basics"
    plan = TrainingPlan(studio_id=studio.id, client_id=customer.id, coach_id=coach.id,
                        title=title, weeks=4, days_per_week=3)
    db.session.add(plan)
    db.session.flush()
    workouts = []
    for week in range(1, 5):
        for day, exercises in enumerate(PLAN_DAYS, start=1):
            workout = Workout(studio_id=studio.id, plan_id=plan.id, week=week, day=day,
                              created_by_id=coach.id, title="")
            db.session.add(workout)
            db.session.flush()
            for position, (name, sets, reps, load, step) in enumerate(exercises):
                item = WorkoutExercise(workout_id=workout.id, exercise_id=names[name].id,
                                       position=position)
                db.session.add(item)
                db.session.flush()
                target = None if load is None else Decimal(str(load + step * (7 + week)))
                db.session.add_all(WorkoutSet(item_id=item.id, position=i, reps=reps, load=target)
                                   for i in range(sets))
            workouts.append(workout)
    return workouts


def _session(studio, customer, coach, started, exercises, week, workout, names, best, rng) -> None:
    session = TrainingSession(studio_id=studio.id, client_id=customer.id, coach_id=coach.id,
                              workout_id=workout.id if workout else None,
                              started_at=started, finished_at=started + timedelta(minutes=55))
    db.session.add(session)
    db.session.flush()
    at, position = started, 0
    for name, sets, reps, load, step in exercises:
        exercise = names[name]
        for _ in range(sets):
            if load is None:  # bodyweight: a rep or two more on good days
                done, weight = reps + rng.choice((0, 0, 1, 2)), Decimal(0)
            else:  # loaded: now and then one rep short
                done, weight = reps - rng.choice((0, 0, 0, 1)), Decimal(str(load + step * week))
            at += timedelta(minutes=3)
            records = _records(best.setdefault(exercise.id, {}), done, weight)
            db.session.add(LoggedSet(id=str(uuid.uuid4()), session_id=session.id,
                                     studio_id=studio.id, client_id=customer.id,
                                     exercise_id=exercise.id, position=position, reps=done,
                                     load=weight, logged_at=at, records=records))
            position += 1


def _records(best: dict, reps: int, load: Decimal) -> list[str]:
    """The kinds of personal record a set sets, against the bests so far (updated in place)."""
    if not load:
        kinds = [RecordKind.REPS] if reps > best.get("reps", 0) else []
        best["reps"] = max(reps, best.get("reps", 0))
        return [k.value for k in kinds]
    kinds = []
    heavier_for_reps = [v for r, v in best.get("loads", {}).items() if r >= reps]
    if best.get("loads") is not None and load > max(heavier_for_reps, default=Decimal(0)):
        kinds.append(RecordKind.LOAD)
    e1rm, volume = estimated_1rm(load, reps), load * reps
    if e1rm > best.get("e1rm", e1rm):
        kinds.append(RecordKind.E1RM)
    if volume > best.get("volume", volume):
        kinds.append(RecordKind.VOLUME)
    loads = best.setdefault("loads", {})
    loads[reps] = max(load, loads.get(reps, load))
    best["e1rm"] = max(e1rm, best.get("e1rm", e1rm))
    best["volume"] = max(volume, best.get("volume", volume))
    return [k.value for k in kinds]
