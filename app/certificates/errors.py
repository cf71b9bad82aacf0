from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError


class AlreadyCertified(DomainError):
    status = 409
    message = _l("%(name)s already has a certificate for this course: reissue or renew it "
                 "instead.")


class NotCompleted(DomainError):
    status = 409
    message = _l("%(name)s has not completed this course yet.")


class AlreadyRevoked(DomainError):
    status = 409
    message = _l("This certificate was revoked already.")


class AlreadyReplaced(DomainError):
    status = 409
    message = _l("This certificate was reissued or renewed already.")


class NotRenewable(DomainError):
    status = 409
    message = _l("Only a certificate that expires can be renewed.")
