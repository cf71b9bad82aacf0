"""What each staff role may do, as the policies themselves answer it: each action names the
console page whose guard decides it (app/studios/console.py: may_open) or a policy to ask, and
the permissions page asks it for a stand-in of every role. No table here says yes or no."""

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from flask_babel import lazy_gettext as _l

from app.studios.console import may_open
from app.studios.models import ROLE_NAMES, Role, Studio
from app.studios.policies import can_assign, can_coach, can_manage_staff, can_see_roster
from app.studios.queries import stand_in


@dataclass(frozen=True)
class Action:
    label: object  # a lazy string
    ask: Callable  # (user, studio) -> bool


def _page(endpoint: str) -> Callable:
    return lambda user, studio: may_open(user, studio, endpoint)


# A class taught by somebody else: whose rosters beyond their own a role sees.
_SOMEONE_ELSES_CLASS = SimpleNamespace(coach_id=0)

ACTIONS = (
    Action(_l("Open the console: the week ahead and its rosters"),
           _page("bookings_manage.dashboard")),
    Action(_l("Check customers in, add walk-ins, mark no-shows"), _page("bookings_coach.roster")),
    Action(_l("See the roster of a class someone else teaches"),
           lambda user, studio: can_see_roster(user, studio, _SOMEONE_ELSES_CLASS)),
    Action(_l("Find, add and edit customers"), _page("clients_manage.customers")),
    Action(_l("See orders and take payments at the desk"), _page("billing_manage.record_payment")),
    Action(_l("Refund payments, waive fees, give credits back"),
           _page("billing_manage.refund_payment")),
    Action(_l("Pause a customer's membership"), _page("billing_manage.freeze_membership")),
    Action(_l("Change or cancel a class"), _page("bookings_manage.cancel_class")),
    Action(_l("Class types and the timetable"), _page("schedule_manage.series")),
    Action(_l("Plans and prices"), _page("memberships_manage.plans")),
    Action(_l("1:1 session types and coaches' hours"),
           _page("appointments_manage.session_types")),
    Action(_l("Studio settings, locations and rooms"), _page("studios_manage.settings_form")),
    Action(_l("Payment and tax settings"), _page("billing_manage.money_settings")),
    Action(_l("Coach classes and keep clients' training"), can_coach),
    Action(_l("Open the staff page"), can_manage_staff),
    *(Action(_l("Invite, change or remove: %(role)s", role=ROLE_NAMES[role]),
             lambda user, studio, role=role: can_assign(user, studio, role)) for role in Role),
)


def matrix(studio: Studio) -> list[tuple[object, list[bool]]]:
    """Each action with, per role (in Role's order), whether that role may do it."""
    people = [stand_in(studio, role) for role in Role]
    return [(action.label, [bool(action.ask(person, studio)) for person in people])
            for action in ACTIONS]
