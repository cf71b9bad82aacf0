"""Demo training history: ten weeks of logged workouts for the demo customer in Riyadh (the last
ones following the plan their coach gave them), a few in Toronto. Sets are logged through the
same service as on the tablet, so personal records are detected the same way.

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
from app.training.models import Exercise, PlanStatus, TrainingPlan, TrainingSession
from app.training.services import sessions

# Two alternating days: (English name, sets, reps, starting load in kg or None, weekly step).
DAY_A = [("Back squat", 3, 5, 60, 2.5), ("Bench press", 3, 5, 40, 1.25),
         ("Barbell row", 3, 8, 40, 1.25)]
DAY_B = [("Deadlift", 2, 5, 80, 5), ("Overhead press", 3, 5, 25, 0.5), ("Pull-up", 3, 5, None, 0)]
# A finisher measured in time or distance, to show those charts: (name, week → seconds, meters).
FINISHERS = [("Treadmill run", lambda week: (330 - 4 * week, 1000)),
             ("Plank", lambda week: (45 + 5 * week, None))]


def seed_training_history(customer: User, studio: Studio, coach: User, *, weeks: int = 10,
                          with_plan: bool = True, seed: int = 11) -> int:
    """Write `weeks` of twice-weekly sessions for `customer` in `studio`; returns how many."""
    if db.session.scalar(select(TrainingSession.id).limit(1).where(
            TrainingSession.studio_id == studio.id, TrainingSession.client_id == customer.id)):
        return 0
    rng = random.Random(seed)
    names = {e.name.get("en"): e for e in db.session.scalars(
        select(Exercise).where(Exercise.studio_id.is_(None)))}
    tz = ZoneInfo(studio.timezone)
    today = utcnow().astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    days = [d for w in range(weeks - 1, -1, -1) for d in (monday - timedelta(weeks=w),
                                                         monday - timedelta(weeks=w, days=-3))
            if d < today]
    plan_days = _plan_days(studio, customer) if with_plan else []
    # The plan began two weeks ago: the last four sessions were its first four days.
    planned = dict(zip(days[-4:], plan_days, strict=False))
    made = 0
    for n, day in enumerate(days):
        workout = planned.get(day)
        if not workout and rng.random() < 0.12:
            continue  # a missed session now and then
        started = datetime.combine(day, time(18, rng.choice((0, 15, 30))), tz)
        if workout:
            rows = [(item.exercise, [(s.reps, s.load) for s in item.sets])
                    for item in workout.items]
        else:
            week = n // 2
            rows = [(names[name], [(reps, None if load is None else
                                    Decimal(str(load + step * week)))] * sets)
                    for name, sets, reps, load, step in (DAY_A, DAY_B)[n % 2]]
        finisher = None if workout else FINISHERS[n % 2]
        _log(studio, customer, coach, started, workout, rows, rng,
             finisher and (names[finisher[0]], *finisher[1](n // 2)))
        made += 1
    db.session.flush()
    return made


def _plan_days(studio, customer) -> list:
    plan = db.session.scalar(
        select(TrainingPlan).where(TrainingPlan.studio_id == studio.id,
                                   TrainingPlan.client_id == customer.id,
                                   TrainingPlan.status == PlanStatus.ACTIVE)
        .order_by(TrainingPlan.id.desc()).limit(1))
    return [w for w in plan.workouts if w.items] if plan else []


def _log(studio, customer, coach, started, workout, rows, rng, finisher=None) -> None:
    session = sessions.start_session(studio, customer, coach=coach, workout=workout, now=started)
    at = started
    for exercise, targets in rows:
        for position, (reps, load) in enumerate(targets):
            if not load:  # bodyweight: a rep or two more on good days
                done, weight = reps + rng.choice((0, 0, 1, 2)), Decimal(0)
            else:  # loaded: now and then one rep short
                done, weight = max(1, reps - rng.choice((0, 0, 0, 1))), load
            at += timedelta(minutes=3)
            sessions.log_set(session, studio, set_id=str(uuid.uuid4()), exercise_id=exercise.id,
                             position=position, reps=done, load=Decimal(weight), now=at)
    if finisher:
        exercise, seconds, meters = finisher
        sessions.log_set(session, studio, set_id=str(uuid.uuid4()), exercise_id=exercise.id,
                         position=0, reps=0, load=Decimal(0), seconds=seconds, meters=meters,
                         now=at + timedelta(minutes=5))
    sessions.finish_session(session, now=started + timedelta(minutes=55))
