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
