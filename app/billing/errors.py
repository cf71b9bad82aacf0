from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError


class OverPayment(DomainError):
    status = 422
    message = _l("That is more than is still owed on this order.")


class RefundTooLarge(DomainError):
    status = 409
    message = _l("At most %(amount)s can still be refunded on this payment.")


class OrderNotPayable(DomainError):
    status = 409
    message = _l("This order cannot take a payment.")


class InvalidAmount(DomainError):
    status = 422
    message = _l("Enter an amount greater than zero.")
