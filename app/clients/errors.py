from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError, InvalidInput


class EmptyNote(InvalidInput):
    message = _l("Write something before saving the note.")


class NoteTooLong(InvalidInput):
    message = _l("A note can be at most %(max)s characters.")


class ContactMissing(InvalidInput):
    message = _l("Give a phone number or an email address, so the studio can reach them.")


class TooManyTags(InvalidInput):
    message = _l("A customer can have at most %(max)s tags of %(length)s characters each.")


class SameCustomer(InvalidInput):
    message = _l("Choose two different customers to merge.")


class BothBookedInClass(DomainError):
    status = 409
    message = _l("Both accounts are booked into %(name)s on %(when)s: cancel one of those "
                 "bookings first.")
