from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError


class AppointmentError(DomainError):
    status = 409


class SlotTaken(AppointmentError):
    message = _l("Sorry, someone has just booked this time. Please choose another.")


class SlotUnavailable(AppointmentError):
    status = 422
    message = _l("This time is not available for booking.")


class CoachBusy(AppointmentError):
    """Another booking holds the coach's lock for longer than we wait."""

    status = 503
    message = _l("Many people are booking with this coach right now. Please try again in a moment.")


class AppointmentNotCancellable(AppointmentError):
    message = _l("This session can no longer be cancelled.")


class AppointmentNotMovable(AppointmentError):
    message = _l("This session can no longer be moved.")


class NoWayToPay(AppointmentError):
    """The session takes only some passes' credits, none of the customer's can pay, and it has
    no price to pay instead."""

    status = 402
    message = _l("This session is paid with a pass's credits, and none of your passes can pay "
                 "for it. Buy a pack that includes it first.")


class PaymentNotOffered(AppointmentError):
    status = 422
    message = _l("This way of paying is not offered for this session.")
