"""Logging a client's workout set by set. Services flush; the request commits.

A set's id is made by the tablet (a UUID), so logging is idempotent: a retry, a double tap or a
queued replay after a dropped connection returns the set already saved instead of a second one.
Undo deletes the set; undoing a set that is already gone changes nothing.
"""

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core.db import utcnow
from app.core.errors import NotFound
from app.extensions import db
from app.training.errors import BadSetValues, NotInLibrary, SessionFinished
from app.training.models import (
    LOAD_MAX,
    REPS_MAX,
    Exercise,
    LoggedSet,
    TrainingPlan,
    TrainingSession,
    Workout,
)
from app.training.services.records import detect_records

RESUME_WITHIN = timedelta(hours=6)


def visible_exercise(studio, exercise_id) -> Exercise:
    """A built-in exercise or one of the studio's own; anything else is not in its library."""
    exercise = db.session.get(Exercise, exercise_id) if isinstance(exercise_id, int) else None
    if exercise is None or exercise.studio_id not in (None, studio.id):
        raise NotInLibrary()
    return exercise


def next_plan_day(plan: TrainingPlan, client) -> Workout | None:
    """The plan day after the one the client last trained (wrapping to the start), or day one."""
    days = [w for w in plan.workouts if w.items]
    if not days:
        return None
    last = db.session.scalar(
        select(TrainingSession.workout_id)
        .where(TrainingSession.client_id == client.id,
               TrainingSession.workout_id.in_([w.id for w in days]))
        .order_by(TrainingSession.started_at.desc()).limit(1))
    ids = [w.id for w in days]
    return days[(ids.index(last) + 1) % len(days)] if last in ids else days[0]


def start_session(studio, client, *, coach, workout: Workout | None = None,
                  now: datetime | None = None) -> TrainingSession:
    """Open today's session for the client, or resume the one still open from the last hours."""
    now = now or utcnow()
    open_ = db.session.scalar(
        select(TrainingSession)
        .where(TrainingSession.studio_id == studio.id, TrainingSession.client_id == client.id,
               TrainingSession.finished_at.is_(None),
               TrainingSession.started_at >= now - RESUME_WITHIN)
        .order_by(TrainingSession.started_at.desc()).limit(1))
    if open_ is not None and (workout is None or open_.workout_id == workout.id):
        return open_
    if workout is not None and workout.studio_id != studio.id:
        raise NotFound()
    session = TrainingSession(studio_id=studio.id, client_id=client.id, coach_id=coach.id,
                              workout_id=workout.id if workout else None, started_at=now,
                              extra_exercise_ids=[])
    db.session.add(session)
    db.session.flush()
    return session


def add_exercise(session: TrainingSession, studio, exercise_id) -> Exercise:
    """Add an exercise the plan did not have to today's session."""
    _require_open(session)
    exercise = visible_exercise(studio, exercise_id)
    planned = {item.exercise_id for item in session.workout.items} if session.workout else set()
    if exercise.id not in planned and exercise.id not in session.extra_exercise_ids:
        session.extra_exercise_ids = [*session.extra_exercise_ids, exercise.id]
        db.session.flush()
    return exercise


def clean_set_id(value) -> str:
    """The tablet's set id as a canonical UUID; a missing one is made here (no-script forms)."""
    value = (value or "").strip()
    if not value:
        return str(uuid.uuid4())
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise BadSetValues(reps=REPS_MAX, load=LOAD_MAX) from None


def log_set(session: TrainingSession, studio, *, set_id, exercise_id, position: int, reps: int,
            load: Decimal, seconds: int | None = None, meters: int | None = None,
            now: datetime | None = None) -> tuple[LoggedSet, bool]:
    """Save one set (True) or return the one already saved under this id (False); the values
    and position come parsed (app/training/forms.py) as the exercise measures them."""
    set_id = clean_set_id(set_id)
    existing = db.session.get(LoggedSet, set_id)
    if existing is not None:
        return _same_session(existing, session), False
    _require_open(session)
    exercise = visible_exercise(studio, exercise_id)
    logged = LoggedSet(id=set_id, session_id=session.id, studio_id=studio.id,
                       client_id=session.client_id, exercise_id=exercise.id,
                       position=position, reps=reps, load=load, seconds=seconds,
                       meters=meters, logged_at=now or utcnow(), records=[])
    try:
        with db.session.begin_nested():  # a concurrent retry with the same id lost the race
            db.session.add(logged)
    except IntegrityError:  # the savepoint's rollback has already dropped `logged`
        return _same_session(db.session.get(LoggedSet, set_id), session), False
    logged.records = detect_records(logged, exercise.measure)
    db.session.flush()
    return logged, True


def undo_set(session: TrainingSession, set_id) -> LoggedSet | None:
    """Take a set back while the session is open; a set already gone (a replayed undo) is not
    an error."""
    try:
        set_id = str(uuid.UUID((set_id or "").strip()))
    except ValueError:
        raise NotFound() from None
    logged = db.session.get(LoggedSet, set_id)
    if logged is None:
        return None
    _same_session(logged, session)
    _require_open(session)
    db.session.delete(logged)
    db.session.flush()
    return logged


def finish_session(session: TrainingSession, now: datetime | None = None) -> TrainingSession:
    if session.finished_at is None:
        session.finished_at = now or utcnow()
        db.session.flush()
    return session


def _same_session(logged: LoggedSet | None, session: TrainingSession) -> LoggedSet:
    if logged is None or logged.session_id != session.id:
        raise NotFound()
    return logged


def _require_open(session: TrainingSession) -> None:
    if session.finished_at is not None:
        raise SessionFinished()
