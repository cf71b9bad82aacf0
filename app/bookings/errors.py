from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError


class BookingError(DomainError):
    status = 409


class ClassCancelled(BookingError):
    message = _l("This class has been cancelled.")


class BookingNotOpen(BookingError):
    message = _l("Booking for this class opens on %(opens)s.")


class BookingClosed(BookingError):
    message = _l("Booking for this class has closed.")


class ClassStarted(BookingError):
    message = _l("This class has already started.")


class NotCancellable(BookingError):
    message = _l("This booking can no longer be cancelled.")


class OfferExpired(BookingError):
    message = _l("Sorry, the spot you were offered has passed to the next person.")


class ClassBusy(BookingError):
    """The class row is locked by someone else for longer than we wait."""

    status = 503
    message = _l("Many people are booking this class right now. Please try again in a moment.")


class ClassFull(BookingError):
    message = _l("This class is full.")


class AlreadyCheckedIn(BookingError):
    message = _l("%(name)s is already checked in.")


class NotBookedHere(BookingError):
    status = 422  # shown in the roster (htmx swaps 4xx answers it can show: 402/409/422/503)
    message = _l("This member has no booking for this class.")


class TooEarlyForNoShow(BookingError):
    message = _l("A no-show can only be marked once the class has started.")


class NotCheckedIn(BookingError):
    message = _l("This member is not checked in.")


class NoEntitlement(BookingError):
    status = 402
    message = _l("You need a pass or membership to book this class.")


class CapacityBelowBooked(BookingError):
    message = _l("%(name)s on %(when)s has %(count)s spots taken: its capacity can't go below "
                 "that.")


class NotWaiting(BookingError):
    message = _l("This booking is not waiting for a spot.")


class AlreadyInClass(BookingError):
    message = _l("%(name)s already has a booking in that class.")


class AccountMerged(BookingError):
    status = 409
    message = _l("This account was merged into another one at this studio, which already "
                 "has a booking in that class.")


class SameClass(BookingError):
    status = 422
    message = _l("Choose another class to move the booking to.")


class BookingCapReached(BookingError):
    message = _l("You have reached the most upcoming bookings this studio allows (%(cap)s). "
                 "Cancel one to book another.")
