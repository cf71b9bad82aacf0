"""Loaders and read helpers for the coach's clients (one builder for page and fragment)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.appointments.models import Appointment
from app.bookings.models import ACTIVE, Booking, BookingStatus
from app.clients.models import ClientNote
from app.core.db import one_of
from app.extensions import db
from app.memberships.queries import WalletEntry, list_wallet
from app.schedule.models import ScheduledClass
from app.studios.models import StaffRole, Studio, StudioCustomer
from app.training.models import TrainingPlan, TrainingSession

RECENT = timedelta(days=90)
COUNTED = (BookingStatus.ATTENDED, BookingStatus.NO_SHOW, BookingStatus.LATE_CANCELLED)


@dataclass
class ClientRow:
    customer: User
    studio: Studio
    last_class_at: datetime


def list_coach_clients(coach, now: datetime, search: str = "", limit: int = 200, *,
                       studio: Studio | None = None) -> list[ClientRow]:
    """The coach's clients per studio where the coach is still staff: customers of their classes
    and 1:1 sessions (last 90 days or upcoming) and those they train (plans, logged workouts);
    `search` narrows by name or email, `studio` to one studio; sorted by name."""
    since = now - RECENT
    contacts = union_all(
        select(Booking.customer_id.label("user_id"), Booking.studio_id.label("studio_id"),
               ScheduledClass.starts_at.label("at"))
        .join(ScheduledClass, ScheduledClass.id == Booking.class_id)
        .where(ScheduledClass.coach_id == coach.id, ScheduledClass.starts_at >= since,
               Booking.status != BookingStatus.CANCELLED),
        select(Appointment.customer_id, Appointment.studio_id, Appointment.starts_at)
        .where(Appointment.coach_id == coach.id, Appointment.starts_at >= since),
        select(TrainingPlan.client_id, TrainingPlan.studio_id, TrainingPlan.created_at)
        .where(TrainingPlan.coach_id == coach.id),
        select(TrainingSession.client_id, TrainingSession.studio_id, TrainingSession.started_at)
        .where(TrainingSession.coach_id == coach.id, TrainingSession.started_at >= since),
    ).subquery()
    query = (
        select(User, Studio, func.max(contacts.c.at))
        .select_from(contacts)
        .join(StaffRole,
              (StaffRole.studio_id == contacts.c.studio_id) & (StaffRole.user_id == coach.id))
        .join(User, User.id == contacts.c.user_id)
        .join(Studio, Studio.id == contacts.c.studio_id)
        .where(User.deleted_at.is_(None))  # a deleted account is nobody's client any more
        .group_by(User.id, Studio.id)
        .order_by(User.name, User.id, Studio.slug)
        .limit(limit)
    )
    if studio is not None:
        query = query.where(contacts.c.studio_id == studio.id)
    search = search.strip()
    if search:
        query = query.where(User.name.icontains(search, autoescape=True)
                            | User.email.icontains(search, autoescape=True))
    return [ClientRow(u, s, at) for u, s, at in db.session.execute(query)]


def list_notes(studio: Studio, customer: User) -> list[ClientNote]:
    """The studio's private notes about a customer, newest first."""
    return db.session.scalars(
        select(ClientNote).where(ClientNote.studio_id == studio.id,
                                 ClientNote.customer_id == customer.id)
        .options(selectinload(ClientNote.author))
        .order_by(ClientNote.created_at.desc(), ClientNote.id.desc())
    ).all()


@dataclass
class ClientProfile:
    """Everything the client page shows about one customer in one studio."""

    studio: Studio
    customer: User
    member_since: datetime
    upcoming: list[Booking] = field(default_factory=list)
    recent: list[Booking] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    wallet: list[WalletEntry] = field(default_factory=list)
    notes: list[ClientNote] = field(default_factory=list)


def _bookings(studio, customer, *, upcoming: bool, now: datetime, limit: int) -> list[Booking]:
    query = (
        select(Booking).join(ScheduledClass, ScheduledClass.id == Booking.class_id)
        .where(Booking.studio_id == studio.id, Booking.customer_id == customer.id)
        .options(selectinload(Booking.scheduled_class)).limit(limit)
    )
    if upcoming:
        query = query.where(ScheduledClass.starts_at >= now, one_of(Booking.status, ACTIVE)) \
            .order_by(ScheduledClass.starts_at)
    else:
        query = query.where(ScheduledClass.starts_at < now, Booking.status.in_(COUNTED)) \
            .order_by(ScheduledClass.starts_at.desc())
    return db.session.scalars(query).all()


def client_profile(studio: Studio, customer: User, link: StudioCustomer,
                   now: datetime) -> ClientProfile:
    """The client page's context: bookings, attendance counts, passes and notes in `studio`."""
    counts = dict(db.session.execute(
        select(Booking.status, func.count())
        .where(Booking.studio_id == studio.id, Booking.customer_id == customer.id,
               Booking.status.in_(COUNTED))
        .group_by(Booking.status)).all())
    return ClientProfile(
        studio=studio, customer=customer, member_since=link.created_at,
        upcoming=_bookings(studio, customer, upcoming=True, now=now, limit=20),
        recent=_bookings(studio, customer, upcoming=False, now=now, limit=10),
        counts={s.value: counts.get(s, 0) for s in COUNTED},
        wallet=list_wallet(customer, studio=studio),
        notes=list_notes(studio, customer),
    )
