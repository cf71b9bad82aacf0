from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from app.core.errors import DomainError


class InvalidCredentials(DomainError):
    status = 422
    message = _l("That email and password do not match.")


class InvalidPass(DomainError):
    status = 422
    message = _l("This pass is not valid or has expired. Ask the member to refresh it.")


class InvalidToken(DomainError):
    status = 400
    message = _l("This link is invalid or has expired. Please ask for a new one.")


class AccountThrottled(DomainError):
    """Too many failed sign-ins on this account lately: wait before the next try."""

    status = 429

    def __init__(self, wait: int):
        minutes = max(1, -(-wait // 60))
        super().__init__(lazy_ngettext(
            "Too many failed sign-ins for this account. Try again in %(num)d minute, or reset "
            "your password.",
            "Too many failed sign-ins for this account. Try again in %(num)d minutes, or reset "
            "your password.", minutes))
        self.wait = wait


class WrongPassword(DomainError):
    status = 422
    message = _l("That is not your current password.")


class SameEmail(DomainError):
    status = 422
    message = _l("That is already your email address.")


class EmailTaken(DomainError):
    """The address was free when the change was asked, and has an account now."""

    status = 409
    message = _l("This address belongs to another account now, so it cannot become yours. "
                 "Your email address has not changed.")


class LastOperator(DomainError):
    """The platform always keeps an operator."""

    status = 409
    message = _l("You are the last operator: make someone else an operator before you delete "
                 "your account.")
