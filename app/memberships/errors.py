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


class MembershipFrozen(DomainError):
    status = 402
    message = _l("Your membership is paused until %(until)s: classes in the pause can't be "
                 "booked with it.")


class FreezeRefused(DomainError):
    """A freeze the plan does not allow; the message says which rule."""

    status = 422
    message = _l("This membership can't be paused.")
