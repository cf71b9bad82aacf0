"""Typed errors of the exercise library."""

from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError, InvalidInput


class EmptyExerciseName(InvalidInput):
    message = _l("Give the exercise a name in English or Arabic.")


class ExerciseTextTooLong(InvalidInput):
    message = _l("A name can be at most %(name)s characters and a cue at most %(cue)s.")


class UnknownExerciseChoice(InvalidInput):
    message = _l("Choose a muscle group and equipment from the lists.")


class BadSetValues(InvalidInput):
    message = _l("Reps must be a whole number from 1 to %(reps)s and the load a number from 0 to "
                 "%(load)s with at most two decimals.")


class SessionFinished(DomainError):
    status = 409
    message = _l("This session is finished; start a new one to log more sets.")


class NotInLibrary(DomainError):
    status = 404
    message = _l("That exercise is not in this studio's library.")
