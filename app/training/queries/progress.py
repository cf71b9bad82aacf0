"""Read side of a client's training in one studio: the timeline with record badges, personal
records, chart series (estimated 1RM, weekly volume, attendance) and the active plans.

Each query runs a fixed number of statements however long the history is; weeks and days are
those of the studio's time zone.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import Numeric, case, func, literal, literal_column, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import User
from app.bookings.models import Booking, BookingStatus
from app.core.i18n import translated, week_start
from app.extensions import db
from app.schedule.models import ScheduledClass
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

PAGE_SIZE = 10  # sessions per timeline page
MAX_PAGE = 10_000
CHART_WEEKS = 12  # weekly volume and attendance
E1RM_WEEKS = 26  # estimated 1RM lines
E1RM_LINES = 4  # the exercises trained on most days get a line


def local_day(moment: datetime, tz: str) -> date:
    return moment.astimezone(ZoneInfo(tz)).date()


def _midnight_utc(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(tz)).astimezone(UTC)


def _e1rm_sql():
    """Epley's estimate in SQL, as `estimated_1rm` computes it (a single is its own 1RM)."""
    # A decimal divisor: SQLite would divide a whole-number load by an integer 30 as integers.
    return case((LoggedSet.reps <= 1, LoggedSet.load),
                else_=LoggedSet.load * (30 + LoggedSet.reps) / literal_column("30.0", Numeric))


def _sets_of(studio: Studio, client: User):
    return (LoggedSet.studio_id == studio.id, LoggedSet.client_id == client.id)


def _sessions_of(studio: Studio, client: User):
    return (TrainingSession.studio_id == studio.id, TrainingSession.client_id == client.id)


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
        select(TrainingSession).where(*_sessions_of(studio, client))
        .options(joinedload(TrainingSession.workout))
        .order_by(TrainingSession.started_at.desc(), TrainingSession.id.desc())
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    has_older, sessions = len(sessions) > PAGE_SIZE, sessions[:PAGE_SIZE]
    ids = [s.id for s in sessions]
    sets = db.session.scalars(
        select(LoggedSet).where(LoggedSet.session_id.in_(ids), *_sets_of(studio, client))
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
        RecordKind.E1RM: (_e1rm_sql().desc(), first),
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
        for kind, order in ranks.items())).where(*_sets_of(studio, client)).subquery()
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


# --- chart series -----------------------------------------------------------------------------


@dataclass
class ExerciseSeries:
    """The best value of one exercise per training day (estimated 1RM, hold, distance, pace)."""

    exercise: Exercise
    points: list[tuple[date, Decimal]]

    @property
    def first(self) -> tuple[date, Decimal]:
        return self.points[0]

    @property
    def last(self) -> tuple[date, Decimal]:
        return self.points[-1]


@dataclass
class WeeklySeries:
    """Values per week of the studio (the weeks' first days, oldest first), one list per
    series name."""

    weeks: list[date]
    values: dict[str, list]

    def total(self, name: str):
        return sum(self.values[name])

    def value(self, name: str, week: date):
        return self.values[name][self.weeks.index(week)]

    def peak(self, name: str) -> tuple[date, object]:
        """The week with the most of `name` (the latest such week on a tie), and how much."""
        return max(zip(self.weeks, self.values[name], strict=True), key=lambda wv: (wv[1], wv[0]))

    @property
    def is_empty(self) -> bool:
        return not any(any(v) for v in self.values.values())


def _chart_weeks(today: date, count: int, first_weekday: int) -> list[date]:
    this_week = week_start(today, first_weekday)
    return [this_week - timedelta(weeks=n) for n in range(count - 1, -1, -1)]


def e1rm_series(studio: Studio, client: User, today: date) -> list[ExerciseSeries]:
    """Best estimated 1RM per training day over the last 26 weeks, for the (up to) four
    exercises trained on most days; two statements."""
    tz = studio.timezone
    since = _midnight_utc(_chart_weeks(today, E1RM_WEEKS, studio.first_weekday)[0], tz)
    rows = db.session.execute(
        select(LoggedSet.exercise_id, TrainingSession.started_at, func.max(_e1rm_sql()))
        .join(TrainingSession, TrainingSession.id == LoggedSet.session_id)
        .where(*_sets_of(studio, client), *_sessions_of(studio, client), LoggedSet.load > 0,
               LoggedSet.reps > 0, TrainingSession.started_at >= since)
        .group_by(LoggedSet.exercise_id, TrainingSession.id, TrainingSession.started_at)).all()
    best: dict[int, dict[date, Decimal]] = defaultdict(dict)
    for exercise_id, started_at, value in rows:
        day, value = local_day(started_at, tz), Decimal(value).quantize(Decimal("0.01"))
        best[exercise_id][day] = max(value, best[exercise_id].get(day, value))
    return _lines(best, max)


def _lines(best: dict[int, dict[date, object]], better) -> list[ExerciseSeries]:
    """The (up to) four exercises trained on most days as chart lines, each with its best value
    per day; `better` (max or min) says which end of the scale is good."""
    chosen = sorted(best, key=lambda e: (-len(best[e]), -max(best[e]).toordinal(), e))
    chosen = chosen[:E1RM_LINES]
    if not chosen:
        return []
    exercises = {e.id: e for e in
                 db.session.scalars(select(Exercise).where(Exercise.id.in_(chosen)))}
    series = [ExerciseSeries(exercises[e], sorted(best[e].items())) for e in chosen]
    # Best line first: the legend then reads in the order the lines are stacked.
    sign = -1 if better is max else 1
    return sorted(series, key=lambda s: (sign * s.last[1], s.exercise.id))


@dataclass
class EnduranceSeries:
    """Best per training day of the exercises measured in time or distance: longest hold
    (seconds), longest distance (meters), fastest pace (seconds per kilometre)."""

    hold: list[ExerciseSeries]
    distance: list[ExerciseSeries]
    pace: list[ExerciseSeries]


def endurance_series(studio: Studio, client: User, today: date) -> EnduranceSeries:
    """The timed and distance exercises' best per training day over the last 26 weeks; one
    statement."""
    tz = studio.timezone
    since = _midnight_utc(_chart_weeks(today, E1RM_WEEKS, studio.first_weekday)[0], tz)
    pace = case((LoggedSet.meters > 0, LoggedSet.seconds * literal_column("1000.0", Numeric)
                 / LoggedSet.meters))
    rows = db.session.execute(
        select(LoggedSet.exercise_id, Exercise.measure, TrainingSession.started_at,
               func.max(LoggedSet.seconds), func.max(LoggedSet.meters), func.min(pace))
        .join(TrainingSession, TrainingSession.id == LoggedSet.session_id)
        .join(Exercise, Exercise.id == LoggedSet.exercise_id)
        .where(*_sets_of(studio, client), *_sessions_of(studio, client),
               Exercise.measure.in_((Measure.TIME, Measure.DISTANCE, Measure.TIME_DISTANCE)),
               TrainingSession.started_at >= since)
        .group_by(LoggedSet.exercise_id, Exercise.measure, TrainingSession.id,
                  TrainingSession.started_at)).all()
    hold, distance, fastest = (defaultdict(dict) for _ in range(3))
    for exercise_id, measure, started_at, seconds, meters, per_km in rows:
        day = local_day(started_at, tz)
        if measure == Measure.TIME and seconds:
            hold[exercise_id][day] = max(seconds, hold[exercise_id].get(day, 0))
        if measure.has_distance and meters:
            distance[exercise_id][day] = max(meters, distance[exercise_id].get(day, 0))
        if measure == Measure.TIME_DISTANCE and per_km:
            per_km = round(per_km)
            fastest[exercise_id][day] = min(per_km, fastest[exercise_id].get(day, per_km))
    return EnduranceSeries(_lines(hold, max), _lines(distance, max), _lines(fastest, min))


def weekly_volume(studio: Studio, client: User, today: date) -> WeeklySeries:
    """Load × reps summed per week of the studio (its zone, its first day) over the last 12
    weeks; each session counts in the week of the day it started. One statement."""
    tz = studio.timezone
    weeks = _chart_weeks(today, CHART_WEEKS, studio.first_weekday)
    rows = db.session.execute(
        select(TrainingSession.started_at, func.sum(LoggedSet.load * LoggedSet.reps))
        .join(LoggedSet, LoggedSet.session_id == TrainingSession.id)
        .where(*_sets_of(studio, client), *_sessions_of(studio, client),
               TrainingSession.started_at >= _midnight_utc(weeks[0], tz))
        .group_by(TrainingSession.id, TrainingSession.started_at)).all()
    totals = dict.fromkeys(weeks, Decimal(0))
    for started_at, volume in rows:
        week = week_start(local_day(started_at, tz), studio.first_weekday)
        if week in totals:
            totals[week] += Decimal(volume or 0)
    return WeeklySeries(weeks, {"volume": [totals[w].quantize(Decimal("1")) for w in weeks]})


def weekly_attendance(studio: Studio, client: User, today: date) -> WeeklySeries:
    """Classes attended and training sessions per week of the studio (its zone, its first day)
    over the last 12 weeks; one statement."""
    tz = studio.timezone
    weeks = _chart_weeks(today, CHART_WEEKS, studio.first_weekday)
    since = _midnight_utc(weeks[0], tz)
    classes = (select(literal("classes").label("kind"), ScheduledClass.starts_at.label("at"))
               .join(Booking, Booking.class_id == ScheduledClass.id)
               .where(Booking.studio_id == studio.id, Booking.customer_id == client.id,
                      Booking.status == BookingStatus.ATTENDED, ScheduledClass.starts_at >= since))
    sessions = (select(literal("sessions").label("kind"), TrainingSession.started_at.label("at"))
                .where(*_sessions_of(studio, client), TrainingSession.started_at >= since))
    counts = {kind: dict.fromkeys(weeks, 0) for kind in ("classes", "sessions")}
    for kind, at in db.session.execute(classes.union_all(sessions)).all():
        week = week_start(local_day(at, tz), studio.first_weekday)
        if week in counts[kind]:
            counts[kind][week] += 1
    return WeeklySeries(weeks, {kind: [c[w] for w in weeks] for kind, c in counts.items()})


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
        .where(*_sessions_of(studio, client), TrainingSession.workout_id.in_(workout_ids)))
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
