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


class CardsNotAccepted(DomainError):
    status = 409
    message = _l("This studio does not take card payments online. You can pay at the studio.")


class PaymentServiceUnavailable(DomainError):
    """Stripe did not answer (network fault, outage): nothing was recorded here."""

    status = 502
    message = _l("The card payment service did not answer. Nothing was changed; please try again "
                 "in a moment.")


class PaymentServiceRefused(DomainError):
    """Stripe answered with an error (bad request, revoked key, ...): nothing was recorded here."""

    status = 409
    message = _l("The card payment service refused the request. Nothing was changed.")


class NotRefundableByCard(DomainError):
    status = 409
    message = _l("This card payment is not confirmed by the card payment service yet, so it "
                 "cannot be refunded. Please try again in a few minutes.")


class TooManyUnpaid(DomainError):
    """The customer already owes the studio for a pass of this kind."""

    status = 409
    message = _l("You already have a pass of this kind to pay at the studio. Pay for it at the "
                 "desk before taking another.")


class NotSoldHere(DomainError):
    """The location of what is sold sells in another currency than the plan's price."""

    status = 409
    message = _l("This plan is priced in %(currency)s and can't be bought for a class at this "
                 "location.")


class NotEnoughPlaces(DomainError):
    status = 409
    message = _l("Only %(free)s of the %(wanted)s places are free in this class: nothing was "
                 "booked.")


class SessionFull(DomainError):
    status = 409
    message = _l("Only %(free)s of the %(wanted)s places are free on %(when)s: nothing of the "
                 "course was booked.")


class CourseHasNoSessions(DomainError):
    status = 422
    message = _l("This course has no sessions left to book.")


class CourseTooLong(DomainError):
    status = 422
    message = _l("This course has more than %(max)s sessions to come: book its classes one by "
                 "one.")


class GroupTooLarge(DomainError):
    status = 422
    message = _l("A group books between 1 and %(max)s places, each participant once.")


class NotAGroupPlace(DomainError):
    status = 404
    message = _l("This booking is not a place in a group booking.")


class NothingToPrint(DomainError):
    status = 422
    message = _l("No invoices or credit notes were issued in these dates.")


class TooMuchToPrint(DomainError):
    status = 422
    message = _l("At most %(limit)s documents can be printed at once: choose fewer dates.")


class PrintRunBusy(DomainError):
    status = 409
    message = _l("A print run is already under way for this studio: wait for it or cancel it.")


class PrintRunFinished(DomainError):
    status = 409
    message = _l("This print run has already finished.")
