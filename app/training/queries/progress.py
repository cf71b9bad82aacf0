"""Read side of a client's training in one studio: the timeline with record badges, personal
records and the active plans, and the whole picture the training pages show (chart series:
series.py).

Each query runs a fixed number of statements however long the history is; weeks and days are
those of the studio's time zone.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Numeric, case, func, literal_column, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import User
from app.core.i18n import translated
from app.extensions import db
from app.studios.models import Studio
from app.training.models import (
    Exercise,
    LoggedSet,
    Measure,
    PlanStatus,
    RecordKind,
    TrainingPlan,
    TrainingSession,
    Workout,
    WorkoutExercise,
)
from app.training.queries.history import e1rm_sql, local_day, sessions_of, sets_of
from app.training.queries.series import (
    EnduranceSeries,
    ExerciseSeries,
    WeeklySeries,
    e1rm_series,
    endurance_series,
    weekly_attendance,
    weekly_volume,
)

PAGE_SIZE = 10  # sessions per timeline page
MAX_PAGE = 10_000


# --- timeline ---------------------------------------------------------------------------------


@dataclass
class ExerciseSets:
    exercise: Exercise
    sets: list[LoggedSet] = field(default_factory=list)


@dataclass
class SessionEntry:
    session: TrainingSession
    coach: User | None
    exercises: list[ExerciseSets] = field(default_factory=list)

    @property
    def set_count(self) -> int:
        return sum(len(group.sets) for group in self.exercises)

    @property
    def record_count(self) -> int:
        return sum(1 for group in self.exercises for s in group.sets if s.records)


@dataclass
class TimelinePage:
    entries: list[SessionEntry]
    page: int
    has_older: bool


def client_timeline(studio: Studio, client: User, page: int = 1) -> TimelinePage:
    """One page of the client's sessions in `studio`, newest first, each with its sets grouped by
    exercise in the order they were done (three statements)."""
    page = min(max(page, 1), MAX_PAGE)
    sessions = db.session.scalars(
        select(TrainingSession).where(*sessions_of(studio, client))
        .options(joinedload(TrainingSession.workout))
        .order_by(TrainingSession.started_at.desc(), TrainingSession.id.desc())
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    has_older, sessions = len(sessions) > PAGE_SIZE, sessions[:PAGE_SIZE]
    ids = [s.id for s in sessions]
    sets = db.session.scalars(
        select(LoggedSet).where(LoggedSet.session_id.in_(ids), *sets_of(studio, client))
        .options(joinedload(LoggedSet.exercise))
        .order_by(LoggedSet.logged_at, LoggedSet.position, LoggedSet.id)).all() if ids else []
    coach_ids = {s.coach_id for s in sessions if s.coach_id}
    coaches = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_(coach_ids)))} if coach_ids else {}

    groups: dict[int, dict[int, ExerciseSets]] = defaultdict(dict)
    for s in sets:  # dicts keep insertion order: exercises in the order first done
        groups[s.session_id].setdefault(s.exercise_id, ExerciseSets(s.exercise)).sets.append(s)
    entries = [SessionEntry(s, coaches.get(s.coach_id), list(groups[s.id].values()))
               for s in sessions]
    return TimelinePage(entries, page, has_older)


# --- personal records -------------------------------------------------------------------------


@dataclass
class ExerciseRecords:
    exercise: Exercise
    records: dict[RecordKind, LoggedSet] = field(default_factory=dict)


def _record_kinds(logged: LoggedSet) -> tuple[RecordKind, ...]:
    """The records a set can hold, by what its exercise measures (and, for reps × load,
    whether it had a load)."""
    measure = logged.exercise.measure
    if measure == Measure.TIME:
        return (RecordKind.HOLD,)
    if measure == Measure.DISTANCE:
        return (RecordKind.DISTANCE,)
    if measure == Measure.TIME_DISTANCE:
        return (RecordKind.PACE, RecordKind.DISTANCE)
    if measure == Measure.REPS or logged.load <= 0:
        return (RecordKind.REPS,)
    return (RecordKind.LOAD, RecordKind.E1RM, RecordKind.VOLUME)


def personal_records(studio: Studio, client: User) -> list[ExerciseRecords]:
    """The client's current best per exercise and kind (heaviest load, estimated 1RM, volume of
    a set, most reps without load), each with the set that first reached it; one statement."""
    part, first = LoggedSet.exercise_id, LoggedSet.logged_at
    bodyweight_first = case((LoggedSet.load == 0, 0), else_=1)
    ranks = {
        RecordKind.LOAD: (LoggedSet.load.desc(), LoggedSet.reps.desc(), first),
        RecordKind.E1RM: (e1rm_sql().desc(), first),
        RecordKind.VOLUME: ((LoggedSet.load * LoggedSet.reps).desc(), first),
        RecordKind.REPS: (bodyweight_first, LoggedSet.reps.desc(), first),
        RecordKind.HOLD: (func.coalesce(LoggedSet.seconds, 0).desc(), first),
        RecordKind.DISTANCE: (func.coalesce(LoggedSet.meters, 0).desc(), first),
        RecordKind.PACE: (case((LoggedSet.seconds > 0, LoggedSet.meters
                                * literal_column("1.0", Numeric) / LoggedSet.seconds),
                               else_=0).desc(), first),
    }
    ranked = select(LoggedSet.id.label("set_id"), *(
        func.row_number().over(partition_by=part, order_by=order).label(kind.value)
        for kind, order in ranks.items())).where(*sets_of(studio, client)).subquery()
    rows = db.session.execute(
        select(LoggedSet, *(ranked.c[k.value] for k in ranks))
        .join(ranked, ranked.c.set_id == LoggedSet.id)
        .where(or_(*(ranked.c[k.value] == 1 for k in ranks)))
        .options(joinedload(LoggedSet.exercise))).all()

    by_exercise: dict[int, ExerciseRecords] = {}
    for logged, *positions in rows:
        shown = _record_kinds(logged)
        for kind, position in zip(ranks, positions, strict=True):
            if position == 1 and kind in shown:
                by_exercise.setdefault(logged.exercise_id, ExerciseRecords(logged.exercise)
                                       ).records[kind] = logged
    return sorted((r for r in by_exercise.values() if r.records),
                  key=lambda r: (translated(r.exercise.name).casefold(), r.exercise.id))


# --- plans ------------------------------------------------------------------------------------


@dataclass
class PlanView:
    """An active plan laid out as weeks × days (None where a day has no workout yet)."""

    plan: TrainingPlan
    grid: list[list[Workout | None]]
    done: set[int]  # workouts the client has trained

    @property
    def next_workout(self) -> Workout | None:
        return next((w for week in self.grid for w in week if w and w.id not in self.done), None)

    @property
    def current_week(self) -> int:
        """The week of the next workout to do (the last week once all are done)."""
        upcoming = self.next_workout
        return upcoming.week if upcoming else self.plan.weeks


def active_plans(studio: Studio, client: User) -> list[PlanView]:
    """The client's active plans in `studio`, newest first, with every day's exercises and target
    sets; a fixed number of statements (one per level of the plan, plus the days done)."""
    plans = db.session.scalars(
        select(TrainingPlan)
        .where(TrainingPlan.studio_id == studio.id, TrainingPlan.client_id == client.id,
               TrainingPlan.status == PlanStatus.ACTIVE)
        .options(selectinload(TrainingPlan.coach),
                 selectinload(TrainingPlan.workouts).selectinload(Workout.items).options(
                     selectinload(WorkoutExercise.exercise), selectinload(WorkoutExercise.sets)))
        .order_by(TrainingPlan.created_at.desc(), TrainingPlan.id.desc())).all()
    workout_ids = [w.id for p in plans for w in p.workouts]
    done = set(db.session.scalars(
        select(TrainingSession.workout_id).distinct()
        .where(*sessions_of(studio, client), TrainingSession.workout_id.in_(workout_ids)))
    ) if workout_ids else set()
    views = []
    for plan in plans:
        grid: list[list[Workout | None]] = [[None] * plan.days_per_week for _ in range(plan.weeks)]
        for w in plan.workouts:
            if w.week and w.day and w.week <= plan.weeks and w.day <= plan.days_per_week:
                grid[w.week - 1][w.day - 1] = w
        views.append(PlanView(plan, grid, done & {w.id for w in plan.workouts}))
    return views


# --- the whole picture ------------------------------------------------------------------------


@dataclass
class TrainingOverview:
    """Everything the customer's and the coach's training pages show about one client."""

    studio: Studio
    client: User
    timezone: str
    today: date  # in the studio's zone
    plans: list[PlanView]
    timeline: TimelinePage
    records: list[ExerciseRecords]
    e1rm: list[ExerciseSeries]
    endurance: EnduranceSeries
    volume: WeeklySeries
    attendance: WeeklySeries

    @property
    def unit(self) -> str:
        return self.studio.load_unit

    @property
    def has_training(self) -> bool:
        return bool(self.plans or self.timeline.entries or self.timeline.page > 1)


def training_overview(studio: Studio, client: User, now: datetime, page: int = 1
                      ) -> TrainingOverview:
    """The training pages' context (one builder for the page and its timeline fragment)."""
    tz = studio.timezone
    today = local_day(now, tz)
    return TrainingOverview(
        studio=studio, client=client, timezone=tz, today=today, plans=active_plans(studio, client),
        timeline=client_timeline(studio, client, page), records=personal_records(studio, client),
        e1rm=e1rm_series(studio, client, today), endurance=endurance_series(studio, client, today),
        volume=weekly_volume(studio, client, today),
        attendance=weekly_attendance(studio, client, today))


def training_studios(client: User) -> list[Studio]:
    """Studios where the client has trained or has an active plan, most recent training first."""
    last = (select(TrainingSession.studio_id, func.max(TrainingSession.started_at).label("at"))
            .where(TrainingSession.client_id == client.id)
            .group_by(TrainingSession.studio_id).subquery())
    planned = select(TrainingPlan.studio_id).where(TrainingPlan.client_id == client.id,
                                                   TrainingPlan.status == PlanStatus.ACTIVE)
    return db.session.scalars(
        select(Studio).outerjoin(last, last.c.studio_id == Studio.id)
        .where(or_(last.c.studio_id.is_not(None), Studio.id.in_(planned)))
        .options(selectinload(Studio.locations))
        .order_by(last.c.at.desc().nulls_last(), Studio.slug)).all()
