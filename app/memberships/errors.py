from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError


class PlanUnavailable(DomainError):
    status = 409
    message = _l("This plan is no longer on sale.")


class IntroAlreadyUsed(DomainError):
    status = 409
    message = _l("The intro offer is for first-time customers, and you have used it already.")


class WeeklyLimitReached(DomainError):
    status = 402
    message = _l("Your membership allows %(limit)s classes a week, and this week is full.")


class NotAMembership(DomainError):
    status = 409
    message = _l("Only memberships renew; this pass simply runs out.")
