"""Chart series of a client's training in one studio: estimated 1RM and endurance lines per
exercise, weekly volume and attendance. A fixed number of statements however long the history
is; weeks and days are those of the studio's time zone."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Numeric, case, func, literal, literal_column, select

from app.accounts.models import User
from app.bookings.models import Booking, BookingStatus
from app.core.i18n import week_start
from app.extensions import db
from app.schedule.models import ScheduledClass
from app.studios.models import Studio
from app.training.models import (
    Exercise,
    LoggedSet,
    Measure,
    TrainingSession,
)
from app.training.queries.history import e1rm_sql, local_day, midnight_utc, sessions_of, sets_of

CHART_WEEKS = 12  # weekly volume and attendance
E1RM_WEEKS = 26  # estimated 1RM lines
E1RM_LINES = 4  # the exercises trained on most days get a line


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
    since = midnight_utc(_chart_weeks(today, E1RM_WEEKS, studio.first_weekday)[0], tz)
    rows = db.session.execute(
        select(LoggedSet.exercise_id, TrainingSession.started_at, func.max(e1rm_sql()))
        .join(TrainingSession, TrainingSession.id == LoggedSet.session_id)
        .where(*sets_of(studio, client), *sessions_of(studio, client), LoggedSet.load > 0,
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
    since = midnight_utc(_chart_weeks(today, E1RM_WEEKS, studio.first_weekday)[0], tz)
    pace = case((LoggedSet.meters > 0, LoggedSet.seconds * literal_column("1000.0", Numeric)
                 / LoggedSet.meters))
    rows = db.session.execute(
        select(LoggedSet.exercise_id, Exercise.measure, TrainingSession.started_at,
               func.max(LoggedSet.seconds), func.max(LoggedSet.meters), func.min(pace))
        .join(TrainingSession, TrainingSession.id == LoggedSet.session_id)
        .join(Exercise, Exercise.id == LoggedSet.exercise_id)
        .where(*sets_of(studio, client), *sessions_of(studio, client),
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
        .where(*sets_of(studio, client), *sessions_of(studio, client),
               TrainingSession.started_at >= midnight_utc(weeks[0], tz))
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
    since = midnight_utc(weeks[0], tz)
    classes = (select(literal("classes").label("kind"), ScheduledClass.starts_at.label("at"))
               .join(Booking, Booking.class_id == ScheduledClass.id)
               .where(Booking.studio_id == studio.id, Booking.customer_id == client.id,
                      Booking.status == BookingStatus.ATTENDED, ScheduledClass.starts_at >= since))
    sessions = (select(literal("sessions").label("kind"), TrainingSession.started_at.label("at"))
                .where(*sessions_of(studio, client), TrainingSession.started_at >= since))
    counts = {kind: dict.fromkeys(weeks, 0) for kind in ("classes", "sessions")}
    for kind, at in db.session.execute(classes.union_all(sessions)).all():
        week = week_start(local_day(at, tz), studio.first_weekday)
        if week in counts[kind]:
            counts[kind][week] += 1
    return WeeklySeries(weeks, {kind: [c[w] for w in weeks] for kind, c in counts.items()})


