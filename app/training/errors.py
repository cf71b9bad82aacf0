"""Typed errors of the exercise library."""

from flask_babel import lazy_gettext as _l

from app.core.errors import InvalidInput


class EmptyExerciseName(InvalidInput):
    message = _l("Give the exercise a name in English or Arabic.")


class ExerciseTextTooLong(InvalidInput):
    message = _l("A name can be at most %(name)s characters and a cue at most %(cue)s.")


class UnknownExerciseChoice(InvalidInput):
    message = _l("Choose a muscle group and equipment from the lists.")
