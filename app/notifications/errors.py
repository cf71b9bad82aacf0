from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError


class BadUnsubscribeLink(DomainError):
    status = 404
    message = _l("This unsubscribe link is not valid.")


class WrongCode(DomainError):
    status = 422
    message = _l("That code is not right, or it has expired. Ask for a new one.")


class TooManyCodes(DomainError):
    status = 429
    message = _l("Too many codes asked for. Wait a minute and try again.")


class SmsUnavailable(DomainError):
    status = 409
    message = _l("Text messages cannot be sent from here yet.")


class NumberUndeliverable(DomainError):
    status = 422
    message = _l("Text messages to this number fail. Check the number.")
