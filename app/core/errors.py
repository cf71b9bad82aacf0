"""Typed domain errors carry a lazily translated message and an HTTP status."""

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """Base of every expected, user-facing failure. Views turn it into a message and a status."""

    status = 409
    message = _l("That could not be done.")

    def __init__(self, message=None, **params):
        self.params = params
        if message is not None:
            self.message = message
        super().__init__(message, params)

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text


class NotFound(DomainError):
    status = 404
    message = _l("Not found.")


class Forbidden(DomainError):
    status = 403
    message = _l("You are not allowed to do that.")


class InvalidInput(DomainError):
    status = 422
    message = _l("Please check the form.")
