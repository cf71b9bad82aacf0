"""Loaders and context builders for booking screens (one builder for page and fragment)."""

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from flask import abort
from sqlalchemy import (
    Integer,
    Select,
    bindparam,
    func,
    select,
    true,
)
from sqlalchemy.orm import aliased, selectinload

from app.bookings import entitlements
from app.bookings.models import ACTIVE, Booking, BookingStatus
from app.bookings.services import (
    Booked,
    CancelConsequence,
    cancel_consequence,
    check_bookable,
    is_late_cancel,
)
from app.core.db import get_in_studio_or_404, one_of
from app.core.errors import DomainError
from app.extensions import db
from app.schedule.models import ClassType, ScheduledClass
from app.schedule.queries import (
    ClassRow,
)
from app.studios.models import Location, Studio, StudioCustomer
from app.studios.queries import entered, is_company_contact


@dataclass(frozen=True, slots=True)
class OwnBooking:
    """The customer's booking in a class, as the week's panels read it."""

    id: int
    status: BookingStatus
    offer_expires_at: datetime | None


@dataclass
class PanelState:
    """Everything the booking panel of one class shows (the week's panels read plain rows)."""

    cls: ScheduledClass | ClassRow
    taken: int
    booking: Booking | OwnBooking | None = None
    position: int | None = None
    closed_reason: str | None = None
    confirm: CancelConsequence | None = None
    error: str | None = None
    needs_pass: bool = False
    outcome: str | None = None  # what the action just done did (a cancel: credit back, fee)
    for_group: bool = False  # the reader books for groups here (a company contact)

    @property
    def key(self) -> tuple:
        """Every value the booking panel shows (its fragment cache key, with the class's id and
        the reader's signed-in state, which the template adds)."""
        b = self.booking
        booking = None if b is None else (
            b.id, b.status, b.offer_expires_at,
            self.cls.timezone if b.status == BookingStatus.OFFERED else None)
        confirm = None if self.confirm is None else (self.confirm.late, self.confirm.message)
        return (self.cls.status, self.spots_left, booking, self.position, self.closed_reason,
                confirm, self.error, self.needs_pass, self.outcome)

    @property
    def spots_left(self) -> int:
        return max(self.cls.capacity - self.taken, 0)

    @property
    def is_full(self) -> bool:
        return self.spots_left == 0


def get_booking_or_404(studio: Studio, booking_id: int) -> Booking:
    return get_in_studio_or_404(Booking, studio, booking_id)


_CLASS_BOOKING = (
    select(Studio, ScheduledClass, Booking)
    .join(ScheduledClass, ScheduledClass.studio_id == Studio.id)
    .join(Booking, (Booking.class_id == ScheduledClass.id) & (Booking.studio_id == Studio.id))
    .where(Studio.slug == bindparam("slug"), ScheduledClass.id == bindparam("class_id"),
           Booking.id == bindparam("booking_id"))
)


def get_class_booking_or_404(slug: str, class_id: int,
                             booking_id: int) -> tuple[Studio, ScheduledClass, Booking]:
    """A studio, one of its classes and one booking of that class, in one statement; any of
    them missing, or not one another's, is a 404."""
    row = db.session.execute(_CLASS_BOOKING, {"slug": slug, "class_id": class_id,
                                              "booking_id": booking_id}).one_or_none()
    if row is None:
        abort(404)
    return entered(row[0]), row[1], row[2]


def class_states(studio: Studio, classes: list[ScheduledClass], user,
                 now: datetime) -> dict[int, PanelState]:
    """Panel states for many classes in three queries: spots taken, own bookings, positions."""
    ids = [c.id for c in classes]
    if not ids:
        return {}
    taken = dict(db.session.execute(
        select(ScheduledClass.id, ScheduledClass.spots_taken).where(ScheduledClass.id.in_(ids))
    ).all())
    mine: dict[int, Booking] = {}
    if getattr(user, "is_authenticated", False):
        mine = {b.class_id: b for b in db.session.scalars(
            select(Booking).where(Booking.class_id.in_(ids), Booking.customer_id == user.id,
                                  one_of(Booking.status, ACTIVE)))}
    return panel_states(studio, [(c, taken.get(c.id, 0), mine.get(c.id)) for c in classes], now)


def own_booking(query: Select, *columns, probe: bool = False) -> Select:
    """`query` plus the customer's active booking in the row's class (at most one: the partial
    unique index; none for a NULL `customer` parameter): the entity, or the `columns` named.

    `probe` (PostgreSQL): look it up class by class in the partial unique index, at a cost
    that does not grow with the customer's history. Joined, PostgreSQL reads every booking the
    customer ever made and hashes them against the classes, so a regular's week costs more with
    every class they attend. LIMIT 1 keeps the lateral lookup from being folded back into that
    join (figures: docs/benchmarks.md)."""
    def active(mine):
        return ((mine.class_id == ScheduledClass.id)
                & (mine.customer_id == bindparam("customer", type_=Integer))
                & one_of(mine.status, ACTIVE))

    if probe:  # the columns named, from the lookup
        lookup = (select(*(getattr(Booking, name) for name in columns)).where(active(Booking))
                  .limit(1).lateral())
        return query.add_columns(*(lookup.c[name] for name in columns)).outerjoin(lookup, true())
    mine = aliased(Booking)
    selected = [getattr(mine, name) for name in columns] if columns else [mine]
    return query.add_columns(*selected).outerjoin(mine, active(mine))


@cache
def _class_with_state() -> Select:
    return own_booking(select(ScheduledClass.id, ScheduledClass.spots_taken,
                              is_company_contact(ScheduledClass.studio_id,
                                                 bindparam("customer", type_=Integer)))
                       .where(ScheduledClass.id == bindparam("class_id")))


def panel_states(studio: Studio, rows, now: datetime) -> dict[int, PanelState]:
    """Panel states from (class, spots taken, own booking or None) rows; waitlist positions of
    the customer's waiting bookings in one more query when there are any."""
    waiting = [b.id for _cls, _taken, b in rows
               if b is not None and b.status == BookingStatus.WAITLISTED]
    positions: dict[int, int] = {}
    if waiting:
        other = aliased(Booking)
        positions = dict(db.session.execute(
            select(Booking.class_id, func.count(other.id))
            .join(other, (other.class_id == Booking.class_id)
                  & (other.status == BookingStatus.WAITLISTED) & (other.id <= Booking.id))
            .where(Booking.id.in_(waiting)).group_by(Booking.class_id)
        ).all())
    states = {}
    for cls, taken, booking in rows:
        state = PanelState(cls, taken, booking, positions.get(cls.id))
        if booking is None:
            try:
                check_bookable(studio, cls, now)
            except DomainError as exc:
                state.closed_reason = str(exc)
        states[cls.id] = state
    return states


def panel_state(studio: Studio, cls: ScheduledClass, user, now: datetime, *,
                confirm_cancel: bool = False, error: str | None = None,
                outcome: str | None = None) -> PanelState:
    """The booking panel of one class, optionally asking to confirm a cancellation."""
    customer = user.id if getattr(user, "is_authenticated", False) else None
    # populate_existing: a booking this request changed is shown as the database has it now.
    _id, taken, for_group, booking = db.session.execute(
        _class_with_state(), {"class_id": cls.id, "customer": customer},
        execution_options={"populate_existing": True}).one()
    state = panel_states(studio, [(cls, taken, booking)], now)[cls.id]
    state.for_group = for_group
    state.error = error
    state.outcome = outcome
    if (state.booking is None and not state.closed_reason
            and getattr(user, "is_authenticated", False)):
        state.needs_pass = not entitlements.provider().can_pay(studio, user, cls)
    if confirm_cancel and state.booking is not None:
        state.confirm = cancel_consequence(studio, state.booking, now)
    return state


@cache
def _for_booking() -> Select:
    mine = aliased(Booking)
    linked = (select(StudioCustomer.user_id)
              .where(StudioCustomer.studio_id == Studio.id,
                     StudioCustomer.user_id == bindparam("customer")).exists())
    return (
        select(Studio, ScheduledClass, ScheduledClass.spots_taken,
               mine.id, mine.status, mine.offer_expires_at, linked)
        .join(ScheduledClass, ScheduledClass.studio_id == Studio.id)
        .outerjoin(mine, (mine.class_id == ScheduledClass.id)
                   & (mine.customer_id == bindparam("customer")) & one_of(mine.status, ACTIVE))
        .where(Studio.slug == bindparam("slug"), ScheduledClass.id == bindparam("class_id"))
    )


@dataclass(frozen=True, slots=True)
class ForBooking:
    """What a customer's booking POST loads in one statement."""

    studio: Studio
    cls: ScheduledClass
    known: PanelState | None  # their panel, when they already hold an active booking
    linked: bool  # already the studio's customer


def load_for_booking(slug: str, class_id: int, user, now: datetime) -> ForBooking:
    """The studio and class a customer books (a 404 if either is missing), whether they are
    the studio's customer yet and, when they already hold an active booking in it, its panel:
    one statement either way."""
    row = db.session.execute(_for_booking(), {"slug": slug, "class_id": class_id,
                                              "customer": user.id}).one_or_none()
    if row is None:
        abort(404)
    studio, cls, taken, *own, linked = row
    studio = entered(studio)
    if own[0] is None:
        return ForBooking(studio, cls, None, linked)
    return ForBooking(studio, cls, panel_states(studio, [(cls, taken, OwnBooking(*own))],
                                                now)[cls.id], linked)


def booked_state(studio: Studio, cls: ScheduledClass, booked: Booked) -> PanelState | None:
    """The panel of a booking just confirmed, from what booking it decided (its spots taken):
    no statement. None when it needs reading (a place in the waitlist, a booking found)."""
    booking = booked.booking
    if booked.spots_taken is None or booking.status != BookingStatus.CONFIRMED:
        return None
    return PanelState(cls, booked.spots_taken, booking)


@dataclass(frozen=True, slots=True)
class MyBooking:
    """One line of "my bookings": a booking's status and what the line shows of its class."""

    id: int
    status: BookingStatus
    class_id: int
    starts_at: datetime
    timezone: str
    class_type: dict
    studio_slug: str
    studio_name: dict
    studio_language: str


@cache
def _my_bookings(upcoming: bool) -> Select:
    c = ScheduledClass
    # The customer's bookings first, sorted and cut to the limit (a LIMIT keeps PostgreSQL
    # from flattening this into the joins below), then their names. Flattened, a planner that
    # believes the studios and locations tables hold one row each (their statistics lag a few
    # new rows) scans the customer's bookings once per studio and location.
    mine = (
        select(Booking.id, Booking.status, c.id.label("class_id"), c.starts_at,
               c.class_type_id, c.location_id, c.studio_id)
        .join(c, c.id == Booking.class_id)
        .where(Booking.customer_id == bindparam("customer")).limit(bindparam("limit"))
    )
    if upcoming:
        mine = mine.where(c.starts_at >= bindparam("now"), one_of(Booking.status, ACTIVE)) \
            .order_by(c.starts_at)
    else:
        mine = mine.where(c.starts_at < bindparam("now")).order_by(c.starts_at.desc())
    mine = mine.subquery()
    return (
        select(mine.c.id, mine.c.status, mine.c.class_id, mine.c.starts_at, Location.timezone,
               ClassType.name, Studio.slug, Studio.name, Studio.default_language)
        .join(ClassType, ClassType.id == mine.c.class_type_id)
        .join(Location, Location.id == mine.c.location_id)
        .join(Studio, Studio.id == mine.c.studio_id)
        .order_by(mine.c.starts_at if upcoming else mine.c.starts_at.desc())
    )


def list_my_bookings(user, now: datetime, *, upcoming: bool, limit: int = 100) -> list[MyBooking]:
    """The user's bookings across studios: upcoming soonest first, past latest first (plain
    rows: a customer's list is long, and building every line as ORM objects with their classes
    costs CPU on each row)."""
    rows = db.session.execute(_my_bookings(upcoming),
                              {"customer": user.id, "now": now, "limit": limit})
    return [MyBooking(*row) for row in rows]


def list_roster(cls: ScheduledClass) -> list[Booking]:
    """Everyone booked, offered or waiting for a class, in the order they joined."""
    return db.session.scalars(
        select(Booking).where(Booking.class_id == cls.id, one_of(Booking.status, ACTIVE))
        .options(selectinload(Booking.customer)).order_by(Booking.id)
    ).all()


def list_late_cancels(cls: ScheduledClass) -> list[Booking]:
    """The class's late cancellations, in the order they happened."""
    return db.session.scalars(
        select(Booking).where(Booking.class_id == cls.id,
                              Booking.status == BookingStatus.LATE_CANCELLED)
        .options(selectinload(Booking.customer)).order_by(Booking.cancelled_at, Booking.id)
    ).all()


def roster_context(studio: Studio, cls: ScheduledClass, now: datetime) -> dict:
    """The console roster's context, for the page and for its block answering a desk action:
    `late_now`, the bookings a cancel now would make late cancels."""
    late = list_late_cancels(cls)
    roster = list_roster(cls)
    return dict(cls=cls, roster=roster, late_cancels=late, now=now,
                credits_kept=entitlements.provider().credits_kept([b.id for b in late]),
                late_now={b.id for b in roster if b.status == BookingStatus.CONFIRMED
                          and is_late_cancel(studio, cls, now)})
