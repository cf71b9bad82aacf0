"""Loaders and context builders for 1:1 session screens."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.appointments.models import (
    HOLDS_TIME,
    Appointment,
    AppointmentStatus,
    Availability,
    CoachProfile,
    SessionType,
    TimeOff,
)
from app.appointments.slots import Slot, free_slots
from app.core.db import get_in_studio_or_404, one_of
from app.extensions import db
from app.studios.models import Studio
from app.studios.queries import list_coaches


def get_session_type_or_404(studio: Studio, type_id: int, *,
                            active_only: bool = False) -> SessionType:
    st = db.session.get(SessionType, type_id)
    if st is None or st.studio_id != studio.id or (active_only and not st.active):
        abort(404)
    return st


def get_coach_or_404(studio: Studio, coach_id: int) -> User:
    """A coach of this studio; anyone else (another studio's coach, a customer) is a 404."""
    coach = next((c for c in list_coaches(studio) if c.id == coach_id), None)
    if coach is None:
        abort(404)
    return coach


def get_appointment_or_404(studio: Studio, appointment_id: int) -> Appointment:
    return get_in_studio_or_404(Appointment, studio, appointment_id)


def get_owned_or_404(model, studio: Studio, row_id: int):
    """An availability window or time off of this studio."""
    return get_in_studio_or_404(model, studio, row_id)


def list_session_types(studio: Studio, *, active_only: bool = False) -> list[SessionType]:
    query = select(SessionType).where(SessionType.studio_id == studio.id).order_by(SessionType.id)
    if active_only:
        query = query.where(SessionType.active.is_(True))
    return db.session.scalars(query).all()


def list_availability(studio: Studio, coach, today: date | None = None) -> list[Availability]:
    """The coach's weekly hours, then extra hours on days not yet past (from `today`)."""
    query = select(Availability).where(Availability.studio_id == studio.id,
                                       Availability.coach_id == coach.id)
    if today is not None:
        query = query.where((Availability.on_date.is_(None)) | (Availability.on_date >= today))
    return db.session.scalars(query.order_by(Availability.on_date.is_not(None),
                                             Availability.on_date,
                                             # weekly hours in the order of the studio's week
                                             (Availability.weekday - studio.first_weekday + 7) % 7,
                                             Availability.starts_at_local)
                              ).all()


def list_time_off(studio: Studio, coach, now: datetime) -> list[TimeOff]:
    """The coach's time off in this studio that has not ended yet."""
    return db.session.scalars(
        select(TimeOff).where(TimeOff.studio_id == studio.id, TimeOff.coach_id == coach.id,
                              TimeOff.ends_at > now).order_by(TimeOff.starts_at)
    ).all()


def list_my_appointments(user, now: datetime, *, upcoming: bool,
                         limit: int = 50) -> list[Appointment]:
    """The customer's sessions, soonest first (upcoming) or latest first (past)."""
    query = (select(Appointment).where(Appointment.customer_id == user.id)
             .options(selectinload(Appointment.coach), selectinload(Appointment.studio)))
    if upcoming:
        query = query.where(Appointment.ends_at > now).order_by(Appointment.starts_at)
    else:
        query = query.where(Appointment.ends_at <= now).order_by(Appointment.starts_at.desc())
    return db.session.scalars(query.limit(limit)).unique().all()


def list_coach_appointments(coach, lo: datetime, hi: datetime) -> list[Appointment]:
    """A coach's active sessions in a window, across all their studios."""
    return db.session.scalars(
        select(Appointment).where(Appointment.coach_id == coach.id,
                                  one_of(Appointment.status, HOLDS_TIME),
                                  Appointment.starts_at >= lo, Appointment.starts_at < hi)
        .options(selectinload(Appointment.customer), selectinload(Appointment.studio))
        .order_by(Appointment.starts_at)
    ).unique().all()


@dataclass
class DirectoryEntry:
    coach: User
    session_types: list[SessionType]
    profile: CoachProfile | None = None


def coach_directory(studio: Studio, today: date) -> list[DirectoryEntry]:
    """The studio's coaches who take 1:1 sessions (weekly hours, or extra hours still to come)
    or have a profile, each with their profile and the session types on offer (only to those
    taking sessions); four statements whatever the size."""
    taking = set(db.session.scalars(
        select(Availability.coach_id).where(
            Availability.studio_id == studio.id,
            Availability.on_date.is_(None) | (Availability.on_date >= today)).distinct()))
    profiles = {p.coach_id: p for p in db.session.scalars(
        select(CoachProfile).where(CoachProfile.studio_id == studio.id)
        .options(selectinload(CoachProfile.teaches)))}
    types = list_session_types(studio, active_only=True)
    return [DirectoryEntry(c, types if c.id in taking else [], profiles.get(c.id))
            for c in list_coaches(studio) if c.id in taking or c.id in profiles]


def get_coach_profile(studio: Studio, coach) -> CoachProfile | None:
    """The coach's profile in this studio, if they have one yet."""
    return db.session.scalar(select(CoachProfile).where(CoachProfile.studio_id == studio.id,
                                                        CoachProfile.coach_id == coach.id))


def list_unpaid_sessions(user) -> list[Appointment]:
    """The customer's booked sessions with a price, owed at the desk (sessions are paid there),
    soonest first."""
    return db.session.scalars(
        select(Appointment).join(SessionType, SessionType.id == Appointment.session_type_id)
        .where(Appointment.customer_id == user.id,
               Appointment.status == AppointmentStatus.BOOKED, SessionType.price_minor > 0)
        .options(selectinload(Appointment.session_type), selectinload(Appointment.studio),
                 selectinload(Appointment.coach))
        .order_by(Appointment.starts_at)
    ).unique().all()


@dataclass
class SlotPicker:
    """Everything the slot picker shows: the chosen type and day, the days, the free slots."""

    session_types: list[SessionType]
    session_type: SessionType | None
    day: date
    days: list[date]
    slots: list[Slot] = field(default_factory=list)
    chosen: Slot | None = None
    error: str | None = None


def slot_picker(studio: Studio, coach, session_types: list[SessionType], type_id: int | None,
                day: date, today: date, now: datetime, *, chosen_at: datetime | None = None,
                error: str | None = None) -> SlotPicker:
    """One builder for the sessions page and its slot-list fragment."""
    by_id = {st.id: st for st in session_types}
    session_type = by_id.get(type_id) if type_id else (session_types[0] if session_types else None)
    days = [today + timedelta(days=i) for i in range(studio.booking_opens_days + 1)][:14]
    picker = SlotPicker(session_types, session_type, day, days, error=error)
    if session_type is not None:
        picker.slots = free_slots(studio, coach, session_type, day, day, now)
        if chosen_at is not None:
            picker.chosen = next((s for s in picker.slots if s.starts_at == chosen_at), None)
    return picker


def coach_photo_of(studio: Studio, coach_id: int, version: str) -> tuple[bytes, str] | None:
    """The bytes and type of a coach's photo in this studio at `version`; None otherwise."""
    row = db.session.execute(
        select(CoachProfile.photo, CoachProfile.photo_type)
        .where(CoachProfile.studio_id == studio.id, CoachProfile.coach_id == coach_id,
               CoachProfile.photo_version == version, CoachProfile.photo.is_not(None))).first()
    return (row.photo, row.photo_type) if row else None
