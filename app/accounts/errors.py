from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError


class EmailTaken(DomainError):
    status = 422
    message = _l("An account with this email already exists. Try signing in.")


class InvalidCredentials(DomainError):
    status = 422
    message = _l("That email and password do not match.")


class InvalidPass(DomainError):
    status = 422
    message = _l("This pass is not valid or has expired. Ask the member to refresh it.")


class InvalidToken(DomainError):
    status = 400
    message = _l("This link is invalid or has expired. Please ask for a new one.")
