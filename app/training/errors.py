"""Typed errors of the exercise library, workout templates and training plans."""

from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError, InvalidInput


class EmptyExerciseName(InvalidInput):
    message = _l("Give the exercise a name in English or Arabic.")


class ExerciseTextTooLong(InvalidInput):
    message = _l("A name can be at most %(name)s characters and a cue at most %(cue)s.")


class UnknownExerciseChoice(InvalidInput):
    message = _l("Choose a muscle group and equipment from the lists.")


class BadTime(InvalidInput):
    message = _l("The time must be seconds (or minutes:seconds) from 1 second to %(hours)s hours.")


class BadDistance(InvalidInput):
    message = _l("The distance must be a whole number of meters from 1 to %(max)s.")


class BadSetValues(InvalidInput):
    message = _l("Reps must be a whole number from 1 to %(reps)s and the load a number from 0 to "
                 "%(load)s with at most two decimals.")


class SessionFinished(DomainError):
    status = 409
    message = _l("This session is finished; start a new one to log more sets.")


class NotInLibrary(DomainError):
    status = 404
    message = _l("That exercise is not in this studio's library.")


# --- Workouts and plans -------------------------------------------------------------------------


class TitleRequired(InvalidInput):
    message = _l("Give it a title.")


class TitleTooLong(InvalidInput):
    message = _l("A title can be at most %(max)s characters.")


class InvalidPlanSize(InvalidInput):
    message = _l("A plan runs 1 to %(weeks)s weeks with 1 to %(days)s training days a week.")


class InvalidReps(InvalidInput):
    message = _l("Reps must be a whole number from 1 to %(max)s.")


class InvalidLoad(InvalidInput):
    message = _l("Load must be a number from 0 to %(max)s %(unit)s with at most 2 decimals, "
                 "or empty for no load.")


class InvalidRest(InvalidInput):
    message = _l("Rest must be a whole number of seconds from 0 to %(max)s.")


class UnknownExercise(InvalidInput):
    message = _l("Choose an exercise from the list.")


class UnknownTemplate(InvalidInput):
    message = _l("Choose a workout template from the list.")


class NotAPlanDay(InvalidInput):
    message = _l("Only a day of a plan can do that.")


class PlanArchived(DomainError):
    status = 409
    message = _l("This plan is archived and can no longer be changed.")


class WorkoutBusy(DomainError):
    status = 409
    message = _l("Someone else is saving this workout. Try again in a moment.")
