"""Who may do what in a studio. Every studio permission is decided here."""

from flask import abort, url_for

from app.studios.errors import StudioSuspended
from app.studios.models import Role, Studio
from app.studios.queries import company_link, staff_role, studios_managed_by

MANAGERS = (Role.OWNER, Role.STUDIO_ADMIN)
COACHES = (Role.OWNER, Role.STUDIO_ADMIN, Role.TRAINER_ADMIN, Role.TRAINER)
# The front desk's work: customers, booking on their behalf, check-in and desk payments.
DESK = (*MANAGERS, Role.FRONT_DESK)
# Who runs a class's roster (check-in, walk-ins, no-shows): its coaches and the desk.
ROSTER = (*COACHES, Role.FRONT_DESK)
# The roles each role may give, change and take away: an owner any, a studio admin any but
# the owner's, a trainer admin the trainers of their team.
ASSIGNABLE = {
    Role.OWNER: tuple(Role),
    Role.STUDIO_ADMIN: (Role.STUDIO_ADMIN, Role.TRAINER_ADMIN, Role.TRAINER, Role.FRONT_DESK),
    Role.TRAINER_ADMIN: (Role.TRAINER,),
}


def check_open(studio: Studio) -> None:
    """Whether the studio sells and books: not while the operator has suspended it
    (StudioSuspended). The booking, appointment and order services ask this before anything;
    staff still sign in and see their data."""
    if studio.suspended_at is not None:
        raise StudioSuspended()


def can_book_for_group(user, studio: Studio) -> bool:
    """A company or group contact of the studio books and pays for groups themselves."""
    return company_link(user, studio) is not None


def can_manage_studio(user, studio: Studio) -> bool:
    """Owners and studio admins run the studio's schedule and settings."""
    return staff_role(user, studio) in MANAGERS


def can_work_desk(user, studio: Studio) -> bool:
    """Customers, bookings made for them, check-in and desk payments: the desk's work."""
    return staff_role(user, studio) in DESK


def can_open_console(user, studio: Studio) -> bool:
    """Whose work is in the studio console (its home, the week's rosters): managers and the
    desk. Each console page asks its own policy on top (app/studios/console.py)."""
    return staff_role(user, studio) in DESK


def can_manage_staff(user, studio: Studio) -> bool:
    """The staff page: whoever may give some role (owners, studio admins, trainer admins)."""
    return bool(assignable_roles(user, studio))


def assignable_roles(user, studio: Studio) -> tuple[Role, ...]:
    """The roles `user` may invite to, change to or from, and take away in `studio`."""
    return ASSIGNABLE.get(staff_role(user, studio), ())


def can_assign(user, studio: Studio, role) -> bool:
    """Whether `user` may invite someone as `role`, or change or remove someone who has it."""
    return role is not None and Role(role) in assignable_roles(user, studio)


def can_refund(user, studio: Studio) -> bool:
    """Refunds, waived fees and credits given back: managers, never the desk."""
    return can_manage_studio(user, studio)


def can_coach(user, studio: Studio) -> bool:
    """Any staff role may see rosters and coach classes."""
    return staff_role(user, studio) in COACHES


def can_set_own_hours(user, studio: Studio) -> bool:
    """Coaches edit their own weekly hours and time off, where the studio allows it."""
    return bool(studio.coaches_set_own_hours) and can_coach(user, studio)


def can_run_rosters(user, studio: Studio) -> bool:
    """The rosters' pages at all: coaches (their own classes, `can_see_roster`) and the desk."""
    return staff_role(user, studio) in ROSTER


def can_see_roster(user, studio: Studio, cls) -> bool:
    """Managers and the desk see every roster; trainers see their own classes (trainer admins
    see all)."""
    role = staff_role(user, studio)
    if role in (Role.OWNER, Role.STUDIO_ADMIN, Role.TRAINER_ADMIN, Role.FRONT_DESK):
        return True
    return role == Role.TRAINER and cls.coach_id == user.id


def can_see_session(user, studio: Studio, appointment) -> bool:
    """A 1:1 session, like a roster: managers and trainer admins see all, a trainer their own."""
    role = staff_role(user, studio)
    if role in (Role.OWNER, Role.STUDIO_ADMIN, Role.TRAINER_ADMIN):
        return True
    return role == Role.TRAINER and appointment.coach_id == user.id


def require_manager(user, studio: Studio) -> None:
    """404 unless the user manages this studio: another studio's console does not exist for them."""
    if not can_manage_studio(user, studio):
        abort(404)


def require_coach(user, studio: Studio) -> None:
    """404 unless the user is staff of this studio: another studio's coach area does not exist."""
    if not can_coach(user, studio):
        abort(404)


def coaches_anywhere(user) -> bool:
    """Whether the user coaches in any studio (for the navigation)."""
    return bool(coach_studios(user))


def coach_studios(user) -> list[Studio]:
    """Studios whose coach area the user may open (navigation, the studio switcher)."""
    return [s for s in studios_managed_by(user) if can_coach(user, s)]


def console_studios(user) -> list[Studio]:
    """Studios whose console the user may open (for navigation)."""
    return [s for s in studios_managed_by(user) if can_open_console(user, s)]


def needs_second_step(user) -> bool:
    """Owners, studio admins and the desk (customers' records, payments) pass a second step
    before their console (operators too, which accounts decides itself)."""
    return bool(console_studios(user))


def landing_url(user) -> str:
    """Where a person's work is, for after signing in: the operator's console, the studio
    console (the list of studios when they run several), the coach's day, else the home page."""
    if user.is_operator:
        return url_for("operator.dashboard")
    managed = console_studios(user)
    if len(managed) == 1:
        return url_for("bookings_manage.dashboard", studio=managed[0].slug)
    if managed:
        return url_for("manage.index")
    if coaches_anywhere(user):
        return url_for("coach.today")
    return url_for("studios.index")
