import enum
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin, UTCDateTime, str_enum
from app.extensions import db


class MuscleGroup(enum.StrEnum):
    CHEST = "chest"
    BACK = "back"
    SHOULDERS = "shoulders"
    ARMS = "arms"
    LEGS = "legs"
    GLUTES = "glutes"
    CORE = "core"
    FULL_BODY = "full_body"
    CARDIO = "cardio"


class Equipment(enum.StrEnum):
    BARBELL = "barbell"
    DUMBBELL = "dumbbell"
    KETTLEBELL = "kettlebell"
    MACHINE = "machine"
    CABLE = "cable"
    BODYWEIGHT = "bodyweight"
    BAND = "band"
    OTHER = "other"


MUSCLE_LABELS = {
    MuscleGroup.CHEST: _l("Chest"), MuscleGroup.BACK: _l("Back"),
    MuscleGroup.SHOULDERS: _l("Shoulders"), MuscleGroup.ARMS: _l("Arms"),
    MuscleGroup.LEGS: _l("Legs"), MuscleGroup.GLUTES: _l("Glutes"), MuscleGroup.CORE: _l("Core"),
    MuscleGroup.FULL_BODY: _l("Full body"), MuscleGroup.CARDIO: _l("Cardio"),
}
EQUIPMENT_LABELS = {
    Equipment.BARBELL: _l("Barbell"), Equipment.DUMBBELL: _l("Dumbbell"),
    Equipment.KETTLEBELL: _l("Kettlebell"), Equipment.MACHINE: _l("Machine"),
    Equipment.CABLE: _l("Cable"), Equipment.BODYWEIGHT: _l("Bodyweight"),
    Equipment.BAND: _l("Band"),
    Equipment.OTHER: _l("Other equipment"),
}
NAME_MAX = 120
CUE_MAX = 300


class Measure(enum.StrEnum):
    """What a set of an exercise records."""

    REPS_LOAD = "reps_load"          # reps × load (a squat)
    REPS = "reps"                    # reps only (a push-up)
    TIME = "time"                    # a hold, in seconds (a plank)
    DISTANCE = "distance"            # meters (a farmer's carry)
    TIME_DISTANCE = "time_distance"  # meters in a time (a run)

    @property
    def counts_reps(self) -> bool:
        return self in (Measure.REPS_LOAD, Measure.REPS)

    @property
    def timed(self) -> bool:
        return self in (Measure.TIME, Measure.TIME_DISTANCE)

    @property
    def has_distance(self) -> bool:
        return self in (Measure.DISTANCE, Measure.TIME_DISTANCE)


MEASURE_LABELS = {
    Measure.REPS_LOAD: _l("Reps × weight"), Measure.REPS: _l("Reps only"),
    Measure.TIME: _l("Time"), Measure.DISTANCE: _l("Distance"),
    Measure.TIME_DISTANCE: _l("Time and distance"),
}


class Exercise(TimestampMixin, db.Model):
    """An exercise: built-in (no studio, shared by every studio) or a studio's own."""

    __tablename__ = "exercises"
    __table_args__ = (Index("ix_exercises_studio_muscle", "studio_id", "muscle_group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int | None] = mapped_column(ForeignKey("studios.id"))
    name: Mapped[dict] = mapped_column(JSON, default=dict)
    cues: Mapped[dict] = mapped_column(JSON, default=dict)
    muscle_group: Mapped[MuscleGroup] = mapped_column(str_enum(MuscleGroup, "muscle_group"))
    equipment: Mapped[Equipment] = mapped_column(str_enum(Equipment, "equipment"))
    measure: Mapped[Measure] = mapped_column(str_enum(Measure, "measure"),
                                             default=Measure.REPS_LOAD,
                                             server_default=Measure.REPS_LOAD.value)

    @property
    def is_builtin(self) -> bool:
        return self.studio_id is None


class PlanStatus(enum.StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


LOAD_DIGITS = Numeric(7, 2)
UNIT_LABELS = {"kg": _l("kg"), "lb": _l("lb")}  # a studio's load unit as shown
TITLE_MAX = 120
REPS_MAX = 1000
LOAD_MAX = Decimal("10000")
REST_MAX = 3600
SECONDS_MAX = 24 * 3600
METERS_MAX = 1_000_000


class TrainingPlan(TimestampMixin, db.Model):
    """A client's programme in one studio: `weeks` × `days_per_week` workouts, one per day."""

    __tablename__ = "training_plans"
    __table_args__ = (Index("ix_training_plans_studio_client", "studio_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    weeks: Mapped[int] = mapped_column(default=4)
    days_per_week: Mapped[int] = mapped_column(default=3)
    status: Mapped[PlanStatus] = mapped_column(str_enum(PlanStatus, "plan_status"),
                                               default=PlanStatus.ACTIVE)

    client = relationship("User", foreign_keys=[client_id])
    coach = relationship("User", foreign_keys=[coach_id])
    workouts: Mapped[list["Workout"]] = relationship(
        back_populates="plan", order_by="(Workout.week, Workout.day)")


class Workout(TimestampMixin, db.Model):
    """Exercises with target sets: a studio's reusable template (no plan) or one day of a plan."""

    __tablename__ = "workouts"
    __table_args__ = (UniqueConstraint("plan_id", "week", "day", name="uq_workouts_plan_day"),
                      Index("ix_workouts_studio_template", "studio_id", "plan_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("training_plans.id", ondelete="CASCADE"))
    week: Mapped[int | None] = mapped_column()
    day: Mapped[int | None] = mapped_column()
    title: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    plan: Mapped[TrainingPlan | None] = relationship(back_populates="workouts")
    items: Mapped[list["WorkoutExercise"]] = relationship(
        back_populates="workout", order_by="WorkoutExercise.position",
        cascade="all, delete-orphan", passive_deletes=True)

    @property
    def is_template(self) -> bool:
        return self.plan_id is None


class WorkoutExercise(db.Model):
    """One exercise of a workout, in order, with its rest between sets."""

    __tablename__ = "workout_exercises"

    id: Mapped[int] = mapped_column(primary_key=True)
    workout_id: Mapped[int] = mapped_column(ForeignKey("workouts.id", ondelete="CASCADE"),
                                            index=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id"))
    position: Mapped[int] = mapped_column(default=0)
    rest_seconds: Mapped[int] = mapped_column(default=90)

    workout: Mapped[Workout] = relationship(back_populates="items")
    exercise: Mapped[Exercise] = relationship()
    sets: Mapped[list["WorkoutSet"]] = relationship(
        back_populates="item", order_by="WorkoutSet.position", cascade="all, delete-orphan",
        passive_deletes=True)


class WorkoutSet(db.Model):
    """A target set, as its exercise measures: reps and (optionally) load in the studio's unit,
    or seconds and/or meters (reps then unused)."""

    __tablename__ = "workout_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("workout_exercises.id", ondelete="CASCADE"),
                                         index=True)
    position: Mapped[int] = mapped_column(default=0)
    reps: Mapped[int] = mapped_column(default=8)
    load: Mapped[Decimal | None] = mapped_column(LOAD_DIGITS)
    seconds: Mapped[int | None]
    meters: Mapped[int | None]

    item: Mapped[WorkoutExercise] = relationship(back_populates="sets")


class TrainingSession(TimestampMixin, db.Model):
    """A client's workout on one day, logged set by set (from a plan day or free-form)."""

    __tablename__ = "training_sessions"
    __table_args__ = (Index("ix_training_sessions_client", "studio_id", "client_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    workout_id: Mapped[int | None] = mapped_column(ForeignKey("workouts.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    extra_exercise_ids: Mapped[list] = mapped_column(JSON, default=list)  # added on the day

    client = relationship("User", foreign_keys=[client_id])
    studio = relationship("Studio")
    workout: Mapped[Workout | None] = relationship()
    sets: Mapped[list["LoggedSet"]] = relationship(
        back_populates="session", order_by="LoggedSet.logged_at")


class RecordKind(enum.StrEnum):
    LOAD = "load"      # heaviest load for at least this many reps
    E1RM = "e1rm"      # best estimated one-rep max (Epley)
    VOLUME = "volume"  # best load × reps in one set
    REPS = "reps"      # most reps without load (bodyweight)
    HOLD = "hold"      # longest time (a hold)
    PACE = "pace"      # fastest time over at least this distance
    DISTANCE = "distance"  # longest distance


RECORD_LABELS = {RecordKind.LOAD: _l("Heaviest"), RecordKind.E1RM: _l("Best estimated 1RM"),
                 RecordKind.VOLUME: _l("Best volume"), RecordKind.REPS: _l("Most reps"),
                 RecordKind.HOLD: _l("Longest hold"), RecordKind.PACE: _l("Fastest"),
                 RecordKind.DISTANCE: _l("Longest distance")}


class LoggedSet(db.Model):
    """A set done. Its id is made by the tablet, so a retry or a double tap never logs it twice;
    `records` holds the personal records it set when it was saved."""

    __tablename__ = "logged_sets"
    __table_args__ = (Index("ix_logged_sets_client_exercise", "studio_id", "client_id",
                            "exercise_id", "logged_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), index=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id"))
    position: Mapped[int] = mapped_column(default=0)
    reps: Mapped[int] = mapped_column()  # 0 for an exercise that does not count reps
    load: Mapped[Decimal] = mapped_column(LOAD_DIGITS, default=Decimal(0))
    seconds: Mapped[int | None]
    meters: Mapped[int | None]
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime())
    records: Mapped[list] = mapped_column(JSON, default=list)

    session: Mapped[TrainingSession] = relationship(back_populates="sets")
    exercise: Mapped[Exercise] = relationship()

    @property
    def e1rm(self) -> Decimal:
        return estimated_1rm(self.load, self.reps)

    @property
    def volume(self) -> Decimal:
        return self.load * self.reps


def estimated_1rm(load: Decimal, reps: int) -> Decimal:
    """Epley's estimate; a single is its own 1RM."""
    if reps <= 1:
        return Decimal(load)
    return (Decimal(load) * (30 + reps) / 30).quantize(Decimal("0.01"))
