"""Loaders and read helpers for studios."""

from dataclasses import dataclass

from flask import abort, g
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import User
from app.core.db import utcnow
from app.extensions import db
from app.studios.models import (
    Invitation,
    Location,
    Role,
    Room,
    StaffRole,
    Studio,
    StudioCustomer,
)


def get_studio_or_404(slug: str) -> Studio:
    """The studio with this slug, with its locations and its default location (its pages show
    times in their zone, also when the week's frame keeps it detached); its default language
    becomes the last locale fallback."""
    studio = db.session.execute(
        select(Studio).where(Studio.slug == slug)
        .options(joinedload(Studio.locations), joinedload(Studio.default_location))
    ).unique().scalar_one_or_none()
    if studio is None:
        abort(404)
    return entered(studio)


@dataclass(frozen=True, slots=True)
class StudioRef:
    """A studio as an answer that only names it reads it (a booking panel: its slug, and its
    language as the last locale fallback)."""

    id: int
    slug: str
    default_language: str


def entered(studio: Studio | StudioRef) -> Studio | StudioRef:
    """The studio a request is in: its default language becomes the last locale fallback."""
    g.studio_language = studio.default_language
    return studio


def list_studios() -> list[Studio]:
    return db.session.scalars(select(Studio).order_by(Studio.slug)).all()


def is_company_contact(studio_id, user_id):
    """SQL: whether the user is a company or group contact of the studio (its record of them
    names a company: they book and pay for groups). One rule for every query that asks."""
    return select(StudioCustomer.id).where(
        StudioCustomer.studio_id == studio_id, StudioCustomer.user_id == user_id,
        StudioCustomer.company_name != "").exists()


def company_link(user, studio: Studio) -> StudioCustomer | None:
    """The studio's record of `user` when they are a company or group contact, else None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(StudioCustomer).where(
        StudioCustomer.studio_id == studio.id, StudioCustomer.user_id == user.id,
        is_company_contact(studio.id, user.id)))


def staff_role(user, studio: Studio) -> Role | None:
    """The user's staff role in the studio, or None (cached per request)."""
    if not getattr(user, "is_authenticated", False):
        return None
    cache = g.setdefault("staff_roles", {})
    key = (user.id, studio.id)
    if key not in cache:
        cache[key] = db.session.scalar(
            select(StaffRole.role).where(StaffRole.studio_id == studio.id,
                                         StaffRole.user_id == user.id)
        )
    return cache[key]


@dataclass(frozen=True, slots=True)
class StandIn:
    """Nobody's account: a person holding one role in one studio, for asking the policies
    themselves what that role may do (the permissions page)."""

    id: int
    is_authenticated: bool = True
    is_operator: bool = False


def stand_in(studio: Studio, role: Role) -> StandIn:
    """A stand-in whose staff role in `studio` is `role` (ids below zero: no real account)."""
    person = StandIn(id=-1 - list(Role).index(role))
    g.setdefault("staff_roles", {})[(person.id, studio.id)] = role
    return person


def load_locations(studios: list[Studio]) -> None:
    """Load the studios' locations in one go (a list of studios that names their places)."""
    if studios:
        db.session.scalars(select(Studio).where(Studio.id.in_([s.id for s in studios]))
                           .options(selectinload(Studio.locations))).all()


def studios_managed_by(user) -> list[Studio]:
    """Studios where the user is staff, for the navigation (one query per request; it also
    fills the role cache `staff_role` reads, so the navigation's permission checks are free)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cache = g.setdefault("staff_studios", {})
    if user.id not in cache and not user.is_staff:  # loaded with the signed-in user
        cache[user.id] = []
    if user.id not in cache:
        rows = db.session.execute(
            select(Studio, StaffRole.role).join(StaffRole, StaffRole.studio_id == Studio.id)
            .where(StaffRole.user_id == user.id).order_by(Studio.slug)
        ).all()
        roles = g.setdefault("staff_roles", {})
        for studio, role in rows:
            roles[(user.id, studio.id)] = role
        cache[user.id] = [studio for studio, _role in rows]
    return cache[user.id]


def list_locations(studio: Studio) -> list[Location]:
    """The studio's locations by id (get_studio_or_404 loads them with the studio)."""
    return list(studio.locations)


def list_open_locations(studio: Studio) -> list[Location]:
    """The locations not archived, with their rooms (two statements, however many)."""
    return list(db.session.scalars(
        select(Location).where(Location.studio_id == studio.id, Location.archived_at.is_(None))
        .options(selectinload(Location.rooms)).order_by(Location.id)))


def list_rooms(studio: Studio) -> list[Room]:
    """The rooms classes can be placed in: those not archived, of locations not archived, by
    location, with their location."""
    return list(db.session.scalars(
        select(Room).join(Location, Location.id == Room.location_id)
        .where(Room.studio_id == studio.id, Room.archived_at.is_(None),
               Location.archived_at.is_(None))
        .options(joinedload(Room.location)).order_by(Room.location_id, Room.id)))


def coaches_of(studio_id, *columns) -> Select:
    """SELECT users with a trainer-type role in the studio (the User, or `columns`)."""
    return (select(*(columns or (User,))).join(StaffRole, StaffRole.user_id == User.id)
            .where(StaffRole.studio_id == studio_id,
                   StaffRole.role.in_((Role.TRAINER, Role.TRAINER_ADMIN, Role.OWNER))))


def list_coaches(studio: Studio):
    """Users with a trainer-type role in the studio."""
    return db.session.scalars(coaches_of(studio.id).order_by(User.name)).all()


def get_studio_customer_or_404(studio: Studio, customer_id: int) -> tuple[User, StudioCustomer]:
    """A customer of this studio and their link to it; anyone else is a 404."""
    link = db.session.scalar(
        select(StudioCustomer).where(StudioCustomer.studio_id == studio.id,
                                     StudioCustomer.user_id == customer_id)
        .options(selectinload(StudioCustomer.user)))
    if link is None:
        abort(404)
    return link.user, link


def find_studio_customer(studio, email: str) -> User | None:
    """The studio's own customer with this address; None for anyone else, known to the
    platform or not (staff must not learn who has an account)."""
    return db.session.scalar(
        select(User).join(StudioCustomer, StudioCustomer.user_id == User.id)
        .where(StudioCustomer.studio_id == studio.id,
               func.lower(User.email) == email.strip().lower()))


def studio_of_path(path: str | None) -> Studio | None:
    """The studio a customer path is in (/s/<slug>/…), for the sign-up page to show that
    studio's terms and privacy notice; None elsewhere."""
    parts = (path or "").split("/")
    if len(parts) < 3 or parts[1] != "s" or not parts[2]:
        return None
    return db.session.scalar(select(Studio).where(Studio.slug == parts[2]))


def list_staff(studio: Studio) -> list[StaffRole]:
    """The studio's staff with their accounts, owners first, then by role and name."""
    order = {role: i for i, role in enumerate(Role)}
    rows = db.session.scalars(select(StaffRole).where(StaffRole.studio_id == studio.id)
                              .options(joinedload(StaffRole.user))).all()
    return sorted(rows, key=lambda r: (order[r.role], (r.user.name or "").casefold()))


def list_open_invitations(studio: Studio, now=None) -> list[Invitation]:
    """Invitations not yet accepted, cancelled or expired, newest first."""
    return db.session.scalars(
        select(Invitation).where(Invitation.studio_id == studio.id,
                                 Invitation.accepted_at.is_(None),
                                 Invitation.cancelled_at.is_(None),
                                 Invitation.expires_at > (now or utcnow()))
        .order_by(Invitation.id.desc())).all()
