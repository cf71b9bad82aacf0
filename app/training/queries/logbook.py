"""The logging page's read model: each exercise of today's session with a row per set — the
set logged, or a set to log prefilled from the plan or from the last session ("last: 77.5 × 8")."""

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.training.models import (
    Exercise,
    LoggedSet,
    TrainingSession,
    Workout,
    WorkoutExercise,
)

DEFAULT_SETS = 3
DEFAULT_REST = 90


@dataclass
class SetRow:
    position: int
    reps: int | None = None
    load: Decimal | None = None
    seconds: int | None = None
    meters: int | None = None
    last: LoggedSet | None = None
    logged: LoggedSet | None = None


@dataclass
class ExerciseBlock:
    exercise: Exercise
    rest_seconds: int = DEFAULT_REST
    rows: list[SetRow] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for r in self.rows if r.logged)


def session_blocks(session: TrainingSession) -> list[ExerciseBlock]:
    """Every exercise of the session in order: the plan's, then those added on the day."""
    items = []
    if session.workout_id:
        items = db.session.scalars(
            select(WorkoutExercise).where(WorkoutExercise.workout_id == session.workout_id)
            .order_by(WorkoutExercise.position)
            .options(selectinload(WorkoutExercise.sets), selectinload(WorkoutExercise.exercise))
        ).all()
    planned_ids = [i.exercise_id for i in items]
    extra_ids = [e for e in session.extra_exercise_ids if e not in planned_ids]
    logged = db.session.scalars(select(LoggedSet).where(LoggedSet.session_id == session.id)
                                .order_by(LoggedSet.position, LoggedSet.logged_at)).all()
    logged_ids = [s.exercise_id for s in logged if s.exercise_id not in planned_ids + extra_ids]
    extra_ids += list(dict.fromkeys(logged_ids))  # sets of an exercise since taken off the plan
    extras = {e.id: e for e in db.session.scalars(
        select(Exercise).where(Exercise.id.in_(extra_ids)))} if extra_ids else {}
    last = _last_sets(session, planned_ids + extra_ids)

    blocks = []
    for item in items:
        targets = [(s.reps, s.load, s.seconds, s.meters) for s in item.sets]
        blocks.append(_block(item.exercise, item.rest_seconds, targets, logged, last))
    for exercise_id in extra_ids:
        if exercise_id in extras:
            blocks.append(_block(extras[exercise_id], DEFAULT_REST, [], logged, last))
    return blocks


def _block(exercise, rest, targets, logged, last) -> ExerciseBlock:
    mine = [s for s in logged if s.exercise_id == exercise.id]
    previous = last.get(exercise.id, [])
    count = max(len(targets) or (len(previous) or DEFAULT_SETS),
                max((s.position + 1 for s in mine), default=0))
    by_position = {}
    for s in mine:
        by_position.setdefault(s.position, s)
    rows = []
    for i in range(count):
        before = previous[min(i, len(previous) - 1)] if previous else None
        row = SetRow(position=i, last=before, logged=by_position.get(i))
        if i < len(targets):
            row.reps, row.load, row.seconds, row.meters = targets[i]
        if before is not None:
            row.load = before.load if row.load is None else row.load
            row.reps = before.reps if row.reps is None else row.reps
            row.seconds = before.seconds if row.seconds is None else row.seconds
            row.meters = before.meters if row.meters is None else row.meters
        if row.reps is None and rows:  # beyond the plan: repeat the set before
            source = rows[-1].logged or rows[-1]
            row.reps, row.load = source.reps, source.load
            row.seconds, row.meters = source.seconds, source.meters
        rows.append(row)
    # Sets logged twice at one position (two tablets) are all shown.
    for s in mine:
        if by_position.get(s.position) is not s:
            rows.append(SetRow(position=s.position, reps=s.reps, load=s.load, seconds=s.seconds,
                               meters=s.meters, logged=s))
    return ExerciseBlock(exercise, rest, rows)


def _last_sets(session: TrainingSession, exercise_ids: list[int]) -> dict[int, list[LoggedSet]]:
    """Per exercise, the sets of the client's most recent earlier session that had it."""
    if not exercise_ids:
        return {}
    latest = (select(LoggedSet.exercise_id, func.max(LoggedSet.session_id))
              .where(LoggedSet.studio_id == session.studio_id,
                     LoggedSet.client_id == session.client_id,
                     LoggedSet.exercise_id.in_(exercise_ids), LoggedSet.session_id != session.id)
              .group_by(LoggedSet.exercise_id))
    pairs = db.session.execute(latest).all()
    if not pairs:
        return {}
    rows = db.session.scalars(
        select(LoggedSet).where(tuple_(LoggedSet.exercise_id, LoggedSet.session_id).in_(
            [tuple(p) for p in pairs])).order_by(LoggedSet.position, LoggedSet.logged_at)).all()
    out: dict[int, list[LoggedSet]] = {}
    for s in rows:
        out.setdefault(s.exercise_id, []).append(s)
    return out


def plan_days(plan) -> list[Workout]:
    """A plan's days that have exercises, in order (what a session can follow)."""
    return [w for w in plan.workouts if w.items]


@dataclass
class TrainingStart:
    """What the coach needs to start a client's workout from their profile."""

    open_session: TrainingSession | None
    plans: list  # [(plan, its days, the day to do next)]
    recent: list[TrainingSession]


def training_start(studio, client, now) -> TrainingStart:
    from app.training.models import PlanStatus, TrainingPlan
    from app.training.services.sessions import RESUME_WITHIN, next_plan_day

    plans = db.session.scalars(
        select(TrainingPlan).where(TrainingPlan.studio_id == studio.id,
                                   TrainingPlan.client_id == client.id,
                                   TrainingPlan.status == PlanStatus.ACTIVE)
        .order_by(TrainingPlan.created_at.desc())
        .options(selectinload(TrainingPlan.workouts).selectinload(Workout.items))).all()
    recent = db.session.scalars(
        select(TrainingSession).where(TrainingSession.studio_id == studio.id,
                                      TrainingSession.client_id == client.id)
        .order_by(TrainingSession.started_at.desc()).limit(5)
        .options(selectinload(TrainingSession.sets))).all()
    open_session = next((s for s in recent if s.finished_at is None
                         and s.started_at >= now - RESUME_WITHIN), None)
    return TrainingStart(open_session, [(p, plan_days(p), next_plan_day(p, client)) for p in plans],
                         recent)
