from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError


class SeriesTooLong(DomainError):
    status = 422
    message = _l("A series can cover at most one year.")


class AlreadyCancelled(DomainError):
    status = 409
    message = _l("This class is already cancelled.")


class ClassInPast(DomainError):
    status = 409
    message = _l("A class that has already started cannot be cancelled.")


class CoachBusy(DomainError):
    """The coach already teaches a class that overlaps the one being placed."""

    status = 409
    message = _l("%(coach)s already teaches %(name)s on %(when)s: a coach can't teach two "
                 "classes at once.")


class RoomBusy(DomainError):
    status = 409
    message = _l("%(room)s already holds %(name)s on %(when)s: a room can't hold two classes "
                 "at once.")


class NoticeTooShort(DomainError):
    status = 409
    message = _l("%(name)s needs %(hours)s hours' notice before its time or place changes.")


class ClassOver(DomainError):
    status = 409
    message = _l("A class that has already started cannot be changed.")


class ScheduleBusy(DomainError):
    """A coach's or room's timetable is being changed by someone else right now."""

    status = 503
    message = _l("Someone else is changing this timetable right now. Please try again in a "
                 "moment.")


class CoachNotQualified(DomainError):
    """The class type requires a qualification the coach does not hold on the class's day."""

    status = 409
    message = _l("%(coach)s can't teach %(name)s on %(day)s: it requires a valid "
                 "%(qualification)s qualification, and theirs is missing or expired.")
