"""Who may do what in a studio. Every studio permission is decided here."""

from flask import abort, url_for

from app.studios.errors import StudioSuspended
from app.studios.models import Role, Studio
from app.studios.queries import staff_role, studios_managed_by

MANAGERS = (Role.OWNER, Role.STUDIO_ADMIN)
COACHES = (Role.OWNER, Role.STUDIO_ADMIN, Role.TRAINER_ADMIN, Role.TRAINER)
# The front desk's work: customers, booking on their behalf, check-in and desk payments.
DESK = MANAGERS


def check_open(studio: Studio) -> None:
    """Whether the studio sells and books: not while the operator has suspended it
    (StudioSuspended). The booking, appointment and order services ask this before anything;
    staff still sign in and see their data."""
    if studio.suspended_at is not None:
        raise StudioSuspended()


def can_manage_studio(user, studio: Studio) -> bool:
    """Owners and studio admins run the studio's schedule and settings."""
    return staff_role(user, studio) in MANAGERS


def can_work_desk(user, studio: Studio) -> bool:
    """Customers, bookings made for them, check-in and desk payments: the desk's work."""
    return staff_role(user, studio) in DESK


def can_coach(user, studio: Studio) -> bool:
    """Any staff role may see rosters and coach classes."""
    return staff_role(user, studio) in COACHES


def can_see_roster(user, studio: Studio, cls) -> bool:
    """Managers see every roster; trainers see their own classes (trainer admins see all)."""
    role = staff_role(user, studio)
    if role in (Role.OWNER, Role.STUDIO_ADMIN, Role.TRAINER_ADMIN):
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


def require_desk(user, studio: Studio) -> None:
    """404 unless the user may work this studio's desk."""
    if not can_work_desk(user, studio):
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
    return [s for s in studios_managed_by(user) if can_manage_studio(user, s)]


def needs_second_step(user) -> bool:
    """Owners and studio admins pass a second step before their console (operators too, which
    accounts decides itself)."""
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
