import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import TimestampMixin, str_enum
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
    Equipment.CABLE: _l("Cable"), Equipment.BODYWEIGHT: _l("Bodyweight"), Equipment.BAND: _l("Band"),
    Equipment.OTHER: _l("Other equipment"),
}
NAME_MAX = 120
CUE_MAX = 300


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

    @property
    def is_builtin(self) -> bool:
        return self.studio_id is None
