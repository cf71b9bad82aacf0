"""Typed errors of the studios domain, each with a translated message and an HTTP status."""

from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError


class StudioSuspended(DomainError):
    """The operator suspended the studio: nothing is sold or booked until it resumes."""

    status = 423
    message = _l("This studio is closed for now: nothing can be booked or bought.")


class SlugTaken(DomainError):
    status = 422
    message = _l("This web address is taken; choose another.")


class DefaultLocationKept(DomainError):
    status = 409
    message = _l("The studio's main location can't be archived. Make another location the "
                 "main one first.")


class InvitationInvalid(DomainError):
    status = 410
    message = _l("This invitation has expired, was cancelled or was already accepted.")


class InvitationForSomeoneElse(DomainError):
    status = 403
    message = _l("This invitation was sent to %(email)s. Sign in with that address to accept "
                 "it.")


class LastOwner(DomainError):
    """A studio always keeps an owner: the last one can't leave or take another role."""

    status = 409
    message = _l("A studio needs an owner: make someone else an owner before this one leaves "
                 "or takes another role.")


class AlreadyStaff(DomainError):
    status = 409
    message = _l("%(email)s is already on this studio's staff: change their role instead.")


class AlreadyInvited(DomainError):
    status = 409
    message = _l("%(email)s already has an open invitation: resend it or cancel it first.")


class LastOwnerLeaving(DomainError):
    """Deleting one's account while the only owner of a studio."""

    status = 409
    message = _l("You are the only owner of %(studio)s: make someone else its owner (or hand "
                 "it over) before you delete your account. Nothing has changed.")
