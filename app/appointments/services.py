"""1:1 session use cases: book and cancel an appointment; session types, availability, time off;
coaches' profiles in the coach directory.

A slot is a lock plus a constraint: booking takes a transaction advisory lock per coach (with
a short lock_timeout) before checking the slot is free, and on PostgreSQL an exclusion
constraint refuses overlapping active appointments of one coach. Services flush; the caller
commits.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select, text

from app.appointments import entitlements, notices
from app.appointments.entitlements import PayBy
from app.appointments.errors import (
    AppointmentNotCancellable,
    AppointmentNotMovable,
    CoachBusy,
    SlotTaken,
    SlotUnavailable,
)
from app.appointments.models import (
    HOLDS_TIME,
    Appointment,
    AppointmentStatus,
    Availability,
    CoachProfile,
    ExternalBusy,
    SessionType,
    TimeOff,
)
from app.appointments.slots import Slot, free_slots
from app.audit.services import record
from app.core.db import bounded_wait, is_postgresql, one_of, utcnow
from app.core.i18n import format_datetime
from app.extensions import db
from app.studios.models import Studio
from app.studios.policies import check_open
from app.studios.services import ensure_customer

# First key of pg_advisory_xact_lock(int, int): keeps these locks apart from any other user.
COACH_LOCK_NAMESPACE = 7001
_LOCK_COACH = text("SELECT pg_advisory_xact_lock(:ns, :coach)")


def lock_coach(coach) -> None:
    """Serialise every booking with `coach` for the rest of the transaction."""
    if not is_postgresql():
        return
    with bounded_wait(current_app.config["BOOKING_LOCK_TIMEOUT_MS"], CoachBusy):
        db.session.execute(_LOCK_COACH, {"ns": COACH_LOCK_NAMESPACE, "coach": coach.id})


def conflicting_appointment(coach, starts_at: datetime, ends_at: datetime,
                            buffer: timedelta, skip: int | None = None) -> Appointment | None:
    """An active appointment of the coach (other than `skip`) closer than `buffer` to
    [starts_at, ends_at)."""
    return db.session.scalar(
        select(Appointment).where(
            Appointment.coach_id == coach.id, one_of(Appointment.status, HOLDS_TIME),
            Appointment.id != (skip or 0),
            Appointment.starts_at < ends_at + buffer, Appointment.ends_at > starts_at - buffer,
        ).limit(1)
    )


def find_slot(studio: Studio, coach, session_type: SessionType, starts_at: datetime,
              now: datetime, skip: int | None = None) -> Slot:
    """The free slot starting at `starts_at`, or why there is none (taken or unavailable)."""
    duration = timedelta(minutes=session_type.duration_minutes)
    buffer = timedelta(minutes=session_type.buffer_minutes)
    if conflicting_appointment(coach, starts_at, starts_at + duration, buffer, skip) is not None:
        raise SlotTaken()
    day = starts_at.date()  # a UTC day; the local day is at most one away
    for slot in free_slots(studio, coach, session_type, day - timedelta(days=1),
                           day + timedelta(days=1), now, skip):
        if slot.starts_at == starts_at:
            return slot
    raise SlotUnavailable()


def book_appointment(studio: Studio, coach, customer, session_type: SessionType,
                     starts_at: datetime, *, actor, now: datetime | None = None,
                     pay_by: PayBy | None = None) -> Appointment:
    """Book `customer` with `coach` at `starts_at`, paid `pay_by` (None: the best way there
    is; see entitlements.py): SlotTaken if someone was quicker, SlotUnavailable if the time is
    not offered, NoWayToPay when nothing can pay. Submitting twice returns the first booking."""
    now = now or utcnow()
    check_open(studio)
    starts_at = starts_at.astimezone(UTC)
    if session_type.studio_id != studio.id or not session_type.active:
        raise SlotUnavailable()
    payer = entitlements.provider()
    # The customer's passes (or orders) first, then the coach: the lock order of classes.
    hold = payer.hold(studio, customer, session_type, starts_at, pay_by)
    lock_coach(coach)
    mine = db.session.scalar(select(Appointment).where(
        Appointment.coach_id == coach.id, Appointment.customer_id == customer.id,
        Appointment.starts_at == starts_at, Appointment.session_type_id == session_type.id,
        Appointment.status == AppointmentStatus.BOOKED))
    if mine is not None:
        return mine
    slot = find_slot(studio, coach, session_type, starts_at, now)
    if hold.refusal is not None:  # the slot is free: now say why it cannot be paid for
        raise hold.refusal
    appointment = Appointment(
        studio_id=studio.id, coach_id=coach.id, customer_id=customer.id,
        session_type_id=session_type.id, location_id=slot.location_id,
        starts_at=slot.starts_at, ends_at=slot.ends_at, booked_by_id=actor.id,
        session_type=session_type)
    db.session.add(appointment)
    db.session.flush()  # the exclusion constraint answers here if the lock was bypassed
    payer.pay(studio, appointment, hold, actor=actor, now=now)
    ensure_customer(studio, customer)
    db.session.flush()
    notices.announce(appointment, "session_booked")
    return appointment


def move_appointment(studio: Studio, appointment: Appointment, starts_at: datetime, *, actor,
                     now: datetime | None = None) -> Appointment:
    """Move a booked session to another free slot of its coach and session type (what paid
    for it still does); the customer and the coach are told. Audited."""
    now = now or utcnow()
    starts_at = starts_at.astimezone(UTC)
    lock_coach(appointment.coach)
    db.session.refresh(appointment)
    if appointment.status != AppointmentStatus.BOOKED or now >= appointment.starts_at:
        raise AppointmentNotMovable()
    if starts_at == appointment.starts_at:
        return appointment
    slot = find_slot(studio, appointment.coach, appointment.session_type, starts_at, now,
                     skip=appointment.id)
    before = appointment.starts_at
    appointment.starts_at, appointment.ends_at = slot.starts_at, slot.ends_at
    appointment.location_id = slot.location_id
    db.session.flush()
    record("appointment.moved", actor=actor, studio_id=studio.id,
           subject=f"appointment:{appointment.id}", starts_at=slot.starts_at.isoformat(),
           was=before.isoformat())
    notices.announce(appointment, "session_changed")
    return appointment


def is_late_cancel(studio: Studio, appointment: Appointment, now: datetime) -> bool:
    """Cancelling after the studio's cutoff before the session is a late cancel."""
    return now > cancel_deadline(studio, appointment)


def cancel_deadline(studio: Studio, appointment: Appointment) -> datetime:
    """The session type's own cutoff, else the studio's."""
    cutoff = appointment.session_type.cancel_cutoff_minutes
    return appointment.starts_at - timedelta(
        minutes=studio.cancel_cutoff_minutes if cutoff is None else cutoff)


@dataclass(frozen=True)
class CancelConsequence:
    late: bool
    message: str


def cancel_consequence(studio: Studio, appointment: Appointment,
                       now: datetime) -> CancelConsequence:
    """What cancelling now will do, told to the customer before they confirm."""
    deadline = format_datetime(cancel_deadline(studio, appointment), appointment.timezone)
    late = is_late_cancel(studio, appointment, now)
    if late:
        message = _("Free cancellation ended at %(time)s: this will count as a late "
                    "cancellation.", time=deadline)
    else:
        message = _("You can cancel free of charge until %(time)s.", time=deadline)
    more = entitlements.provider().describe_cancel(studio, appointment, late=late)
    return CancelConsequence(late, f"{message} {more}" if more else message)


def cancel_appointment(studio: Studio, appointment: Appointment, *, actor,
                       now: datetime | None = None, waive_late: bool = False) -> Appointment:
    """Cancel a booked session; after the cutoff it is a late cancel (unless `waive_late`).
    What paid for it is given back or kept as the session type says; `appointment.released`
    says what happened."""
    now = now or utcnow()
    payer = entitlements.provider()
    payer.lock_paid(appointment)  # before the coach, as when booking
    lock_coach(appointment.coach)
    db.session.refresh(appointment)
    if appointment.status != AppointmentStatus.BOOKED or now >= appointment.starts_at:
        raise AppointmentNotCancellable()
    late = not waive_late and is_late_cancel(studio, appointment, now)
    appointment.status = AppointmentStatus.LATE_CANCELLED if late else AppointmentStatus.CANCELLED
    appointment.cancelled_at = now
    db.session.flush()
    appointment.released = payer.release(studio, appointment, late=late, actor=actor, now=now)
    notices.announce(appointment, "session_cancelled")
    return appointment


def leave_sessions(person, *, actor, now: datetime) -> int:
    """A person deleting their account: every 1:1 session ahead they booked or coach is
    cancelled as a cancel in time (the customer told, what paid given back), and their coach
    profiles (photo, bio), hours and time off go; how many sessions were cancelled."""
    ahead = db.session.scalars(
        select(Appointment).where((Appointment.customer_id == person.id)
                                  | (Appointment.coach_id == person.id),
                                  Appointment.status == AppointmentStatus.BOOKED,
                                  Appointment.starts_at > now)
        .order_by(Appointment.starts_at, Appointment.id)).all()
    for appointment in ahead:
        cancel_appointment(appointment.studio, appointment, actor=actor, now=now,
                           waive_late=True)
    for model in (CoachProfile, Availability, TimeOff):
        db.session.execute(delete(model).where(model.coach_id == person.id))
    return len(ahead)


def save_session_type(studio: Studio, session_type: SessionType | None = None, *, name: dict,
                      duration_minutes: int, buffer_minutes: int, price_minor: int, currency: str,
                      active: bool = True, plan_ids: list[int] | None = None,
                      cancel_cutoff_minutes: int | None = None,
                      late_cancel_fee_minor: int = 0) -> SessionType:
    """Create or update a session type of the studio: `plan_ids` the plans whose credits pay
    for it (the form offers only the studio's own)."""
    if session_type is None:
        session_type = SessionType(studio_id=studio.id)
        db.session.add(session_type)
    session_type.name = name
    session_type.duration_minutes = duration_minutes
    session_type.buffer_minutes = buffer_minutes
    session_type.price_minor = price_minor
    session_type.currency = currency
    session_type.active = active
    session_type.plan_ids = sorted(set(plan_ids or ()))
    session_type.cancel_cutoff_minutes = cancel_cutoff_minutes
    session_type.late_cancel_fee_minor = late_cancel_fee_minor
    db.session.flush()
    return session_type


def add_availability(studio: Studio, coach, location, *, weekday: int, starts: time,
                     ends: time, on_date: date | None = None, actor=None) -> Availability:
    """Add a window in which `coach` takes sessions at `location`: every week on `weekday`, or
    only on `on_date` (extra hours). Audited."""
    window = Availability(studio_id=studio.id, coach_id=coach.id, location_id=location.id,
                          weekday=on_date.isoweekday() if on_date else weekday,
                          starts_at_local=starts, ends_at_local=ends, on_date=on_date)
    db.session.add(window)
    db.session.flush()
    record("coach.hours_added", actor=actor, studio_id=studio.id, subject=f"user:{coach.id}",
           weekday=window.weekday, starts=starts.isoformat(), ends=ends.isoformat(),
           on_date=on_date.isoformat() if on_date else None)
    return window


def add_time_off(studio: Studio, coach, *, starts_at: datetime, ends_at: datetime,
                 reason: str = "", actor=None) -> TimeOff:
    """Block `coach` from sessions between two instants. Audited."""
    off = TimeOff(studio_id=studio.id, coach_id=coach.id, starts_at=starts_at, ends_at=ends_at,
                  reason=reason)
    db.session.add(off)
    db.session.flush()
    record("coach.time_off_added", actor=actor, studio_id=studio.id, subject=f"user:{coach.id}",
           starts_at=starts_at.isoformat(), ends_at=ends_at.isoformat())
    return off


def remove(row, *, actor=None) -> None:
    """Delete an availability window or a time off (the caller checked the studio). Audited."""
    what = "hours" if isinstance(row, Availability) else "time_off"
    record(f"coach.{what}_removed", actor=actor, studio_id=row.studio_id,
           subject=f"user:{row.coach_id}", row_id=row.id)
    db.session.delete(row)
    db.session.flush()


KEEP_PHOTO = object()  # save_coach_profile: leave the photo as it is


def save_coach_profile(studio: Studio, coach, *, actor, bio: dict, teaches: list,
                       photo=KEEP_PHOTO) -> CoachProfile:
    """Write a coach's profile in `studio`: bio {"ar", "en"}, the class types they teach (the
    studio's own, as the form offers), and the photo as checked and cleaned by the form
    ((bytes, type), None to remove it, KEEP_PHOTO to leave it). Its version is a hash of the
    bytes, so a new photo has a new URL. Audited."""
    profile = db.session.scalar(select(CoachProfile).where(CoachProfile.studio_id == studio.id,
                                                           CoachProfile.coach_id == coach.id))
    if profile is None:
        profile = CoachProfile(studio_id=studio.id, coach_id=coach.id)
        db.session.add(profile)
    profile.bio = bio
    profile.teaches = [t for t in teaches if t.studio_id == studio.id]
    if photo is not KEEP_PHOTO:
        data, kind = photo or (None, "")
        profile.photo, profile.photo_type = data, kind
        profile.photo_version = hashlib.sha256(data).hexdigest()[:16] if data else ""
    db.session.flush()
    record("coach.profile_changed", actor=actor, studio_id=studio.id,
           subject=f"user:{coach.id}", photo=None if photo is KEEP_PHOTO else bool(photo))
    return profile


def replace_external_busy(coach, intervals) -> None:
    """The coach's busy times as their own calendar says now (read back by calendar sync),
    in place of what it said before: 1:1 slots skip them like time off."""
    db.session.execute(delete(ExternalBusy).where(ExternalBusy.coach_id == coach.id))
    db.session.add_all(ExternalBusy(coach_id=coach.id, starts_at=s, ends_at=e)
                       for s, e in intervals if e > s)
    db.session.flush()
