"""Exercise library use cases: a studio's own exercises."""

from app.audit.services import record
from app.extensions import db
from app.training.errors import EmptyExerciseName, ExerciseTextTooLong, UnknownExerciseChoice
from app.training.models import CUE_MAX, NAME_MAX, Equipment, Exercise, MuscleGroup

LANGS = ("en", "ar")


def _clean(value: dict | None) -> dict:
    return {lang: text for lang in LANGS if (text := ((value or {}).get(lang) or "").strip())}


def add_exercise(studio, *, name: dict, cues: dict, muscle_group: str, equipment: str,
                 actor=None) -> Exercise:
    """Add an exercise of `studio`'s own to its library; a name in one language is enough."""
    name, cues = _clean(name), _clean(cues)
    if not name:
        raise EmptyExerciseName()
    if any(len(t) > NAME_MAX for t in name.values()) or any(len(t) > CUE_MAX for t in cues.values()):
        raise ExerciseTextTooLong(name=NAME_MAX, cue=CUE_MAX)
    try:
        muscle, kit = MuscleGroup(muscle_group), Equipment(equipment)
    except ValueError:
        raise UnknownExerciseChoice() from None
    exercise = Exercise(studio_id=studio.id, name=name, cues=cues, muscle_group=muscle,
                        equipment=kit)
    db.session.add(exercise)
    db.session.flush()
    record("exercise.added", actor=actor, studio_id=studio.id, subject=f"exercise:{exercise.id}")
    return exercise
