"""Passes and credits: grant on purchase, take on booking, return on a timely cancel.

The ledger is append-only; a pass's balance is the sum of its entries. Taking a credit locks
the customer's candidate passes, so two bookings at once cannot spend the same last credit.
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, func, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.audit.services import record
from app.bookings.errors import NoEntitlement
from app.bookings.models import BookingStatus
from app.core.db import utcnow
from app.core.errors import InvalidInput
from app.core.i18n import format_date, local, week_start
from app.extensions import db
from app.memberships.errors import (
    IntroAlreadyUsed,
    MembershipFrozen,
    NotAMembership,
    PlanUnavailable,
    WeeklyLimitReached,
)
from app.memberships.models import (
    CreditEntry,
    CreditReason,
    Pass,
    PassStatus,
    Period,
    Plan,
    PlanKind,
    ValidityStart,
)

NEVER = datetime.max.replace(tzinfo=UTC)


def add_months(dt: datetime, months: int) -> datetime:
    """Same day and time `months` later (clamped to the month's last day)."""
    month = dt.month - 1 + months
    year, month = dt.year + month // 12, month % 12 + 1
    day = min(dt.day, calendar.monthrange(year, month)[1])
    return dt.replace(year=year, month=month, day=day)


def check_can_buy(studio, plan: Plan, customer) -> None:
    """Raise why `customer` may not buy `plan` (off sale, intro offer already used)."""
    if not plan.active or plan.studio_id != studio.id:
        raise PlanUnavailable()
    if plan.once_per_customer and db.session.scalar(
        select(Pass.id).join(Plan, Plan.id == Pass.plan_id)
        .where(Pass.customer_id == customer.id, Pass.studio_id == studio.id,
               Plan.kind == PlanKind.INTRO).limit(1)
    ):
        raise IntroAlreadyUsed()


def grant_pass(studio, plan: Plan, customer, *, order=None, actor=None, now=None) -> Pass:
    """Give `customer` the pass `plan` sells, with its credits in the ledger."""
    now = now or utcnow()
    starts = expires = None
    if plan.kind == PlanKind.MEMBERSHIP:
        starts = now
        expires = add_months(now, 12 if plan.period == Period.YEAR else 1)
    elif plan.validity_start == ValidityStart.PURCHASE:
        starts = now
        expires = now + timedelta(days=plan.validity_days) if plan.validity_days else None
    pass_ = Pass(studio_id=studio.id, customer_id=customer.id, plan=plan,
                 order_id=order.id if order else None, credits_total=plan.credits,
                 starts_at=starts, expires_at=expires)
    db.session.add(pass_)
    db.session.flush()
    if plan.credits:
        _entry(pass_, plan.credits, CreditReason.PURCHASE, actor=actor)
    return pass_


def _entry(pass_: Pass, delta: int, reason: CreditReason, *, booking=None, appointment=None,
           actor=None) -> CreditEntry:
    entry = CreditEntry(studio_id=pass_.studio_id, pass_id=pass_.id, delta=delta, reason=reason,
                        booking_id=booking.id if booking else None,
                        appointment_id=appointment.id if appointment else None,
                        actor_id=actor.id if actor else None)
    db.session.add(entry)
    db.session.flush()
    return entry


def balances(pass_ids: list[int]) -> dict[int, int]:
    """Credits left per pass (sum of the ledger), in one query."""
    if not pass_ids:
        return {}
    rows = db.session.execute(
        select(CreditEntry.pass_id, func.coalesce(func.sum(CreditEntry.delta), 0))
        .where(CreditEntry.pass_id.in_(pass_ids)).group_by(CreditEntry.pass_id)
    ).all()
    return {pid: 0 for pid in pass_ids} | dict(rows)


def _week_bounds(moment: datetime, tz: str, first_weekday: int) -> tuple[datetime, datetime]:
    """The studio's week around `moment`: from midnight of its first day, seven days."""
    zone = ZoneInfo(tz)
    first = week_start(moment.astimezone(zone).date(), first_weekday)
    start = datetime.combine(first, time(0), zone)
    end = datetime.combine(first + timedelta(days=7), time(0), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def _week_usage(pass_: "PayingPass", cls, first_weekday: int) -> int:
    """Classes this pass paid for in the class's week (studio time), not given back."""
    from app.bookings.models import Booking
    from app.schedule.models import ScheduledClass

    lo, hi = _week_bounds(cls.starts_at, cls.timezone, first_weekday)
    returned = select(CreditEntry.booking_id).where(
        CreditEntry.pass_id == pass_.id, CreditEntry.reason == CreditReason.RETURNED)
    return db.session.scalar(
        select(func.count()).select_from(CreditEntry)
        .join(Booking, Booking.id == CreditEntry.booking_id)
        .join(ScheduledClass, ScheduledClass.id == Booking.class_id)
        .where(CreditEntry.pass_id == pass_.id, CreditEntry.reason == CreditReason.BOOKING,
               CreditEntry.booking_id.not_in(returned),
               ScheduledClass.starts_at >= lo, ScheduledClass.starts_at < hi))


@dataclass(frozen=True, slots=True)
class PayingPass:
    """What paying for a class reads of a pass and its plan, as plain values (one statement,
    SQLAlchemy Core); the rules are the models' own."""

    id: int
    studio_id: int
    plan_id: int
    starts_at: datetime | None
    expires_at: datetime | None
    status: PassStatus
    credits_total: int | None
    validity_days: int | None
    classes_per_week: int | None
    eligible_class_type_ids: list
    frozen_from: datetime | None
    frozen_until: datetime | None
    event_class_id: int | None
    credits_left: int

    is_unlimited = property(Pass.is_unlimited.fget)
    frozen_at = Pass.frozen_at
    usable_for = Pass.usable_for
    covers = Plan.covers


_PASSES, _PLANS = Pass.__table__, Plan.__table__


@cache
def _passes(lock: bool, nowait: bool = False) -> Select:
    """The customer's passes in a studio (not revoked): `lock`: their ids, locked FOR UPDATE in
    id order (the lock order: app/bookings/services/locks.py); else with their plans' rules and
    credits left, in one statement."""
    p = _PASSES.c
    mine = (p.studio_id == bindparam("studio_id"), p.customer_id == bindparam("customer_id"),
            p.status != PassStatus.REVOKED)
    if lock:
        return select(p.id).where(*mine).order_by(p.id).with_for_update(nowait=nowait)
    left = (select(func.coalesce(func.sum(CreditEntry.delta), 0))
            .where(CreditEntry.pass_id == p.id).scalar_subquery())
    return (select(p.id, p.studio_id, p.plan_id, p.starts_at, p.expires_at, p.status,
                   p.credits_total, _PLANS.c.validity_days, _PLANS.c.classes_per_week,
                   _PLANS.c.eligible_class_type_ids, p.frozen_from, p.frozen_until,
                   _PLANS.c.event_class_id, left)
            .select_from(_PASSES.join(_PLANS, _PLANS.c.id == p.plan_id))
            .where(*mine).order_by(p.id))


def held_passes(studio, customer, *, lock: bool, nowait: bool = False) -> list[PayingPass]:
    """The customer's passes in the studio with their credits left (`lock`: every one locked,
    `nowait`: or raise at once)."""
    conn, who = db.session.connection(), {"studio_id": studio.id, "customer_id": customer.id}
    if lock:
        # A statement that waits for a lock still reads the ledger as it was when the statement
        # began (READ COMMITTED), before the credit the lock's holder spent: so the passes are
        # locked first and their credits read by a statement of its own, after the wait.
        conn.execute(_passes(True, nowait), who).all()
    return [PayingPass(*row) for row in conn.execute(_passes(False), who)]


def candidate_passes(studio, customer, cls, *, lock: bool,
                     nowait: bool = False) -> list[PayingPass]:
    """The customer's passes that can pay for `cls`, the one expiring first first. `lock`
    locks every pass the customer holds in the studio (`nowait`: or raise at once)."""
    usable = [p for p in held_passes(studio, customer, lock=lock, nowait=nowait)
              if (p.is_unlimited or p.credits_left > 0) and can_pay_for(p, cls)]
    return sorted(usable, key=lambda p: (p.expires_at is None, p.expires_at or NEVER, p.id))


def can_pay_for(pass_: PayingPass, cls) -> bool:
    """Whether `pass_` may pay for `cls` at all: usable at its start (not paused then), its
    plan covering it and, for a class that names the plans it accepts, one of them; an event's
    ticket pays for that event only."""
    return (pass_.usable_for(cls.starts_at) and pass_.covers(cls.class_type_id)
            and (not cls.plan_ids or pass_.plan_id in cls.plan_ids)
            and pass_.event_class_id in (None, cls.id))


def pick_pass(studio, customer, cls, *, lock: bool, nowait: bool = False) -> PayingPass:
    """The best pass to pay for `cls`, or NoEntitlement / WeeklyLimitReached."""
    limit_hit = None
    candidates = candidate_passes(studio, customer, cls, lock=lock, nowait=nowait)
    if not candidates:
        _refuse_if_frozen(studio, customer, cls)
    for pass_ in candidates:
        cap = pass_.classes_per_week
        if cap and _week_usage(pass_, cls, studio.first_weekday) >= cap:
            limit_hit = cap
            continue
        return pass_
    if limit_hit:
        raise WeeklyLimitReached(limit=limit_hit)
    raise NoEntitlement()


def _refuse_if_frozen(studio, customer, cls) -> None:
    """Say so when the only thing between the customer and the class is their paused
    membership (reached only when no pass can pay: the rare path reads the passes again)."""
    frozen = db.session.scalars(
        select(Pass).where(Pass.studio_id == studio.id, Pass.customer_id == customer.id,
                           Pass.frozen_from <= cls.starts_at, Pass.frozen_until > cls.starts_at,
                           Pass.status != PassStatus.REVOKED)).unique().first()
    if frozen is not None and frozen.plan.covers(cls.class_type_id):
        last = local(frozen.frozen_until, cls.timezone).date() - timedelta(days=1)
        raise MembershipFrozen(until=format_date(last, fmt="medium"))


_START_PASS = (update(_PASSES).where(_PASSES.c.id == bindparam("pass_id"))
               .values(starts_at=bindparam("starts"), expires_at=bindparam("expires")))
_INSERT_ENTRY = insert(CreditEntry.__table__)


def spend_credit(pass_: PayingPass, booking, *, now=None, appointment=None) -> None:
    """Take one credit of `pass_` (picked and locked by pick_pass) for a confirmed booking, or
    a 1:1 `appointment` (a pass that starts at first booking starts now)."""
    now = now or utcnow()
    conn = db.session.connection()
    if pass_.starts_at is None:
        times = {"starts_at": now, "expires_at": now + timedelta(days=pass_.validity_days or 365)}
        conn.execute(_START_PASS, {"pass_id": pass_.id, "starts": times["starts_at"],
                                   "expires": times["expires_at"]})
        loaded = db.session.identity_map.get(db.session.identity_key(Pass, pass_.id))
        for name, value in times.items() if loaded is not None else ():
            set_committed_value(loaded, name, value)  # the session's copy, if it has one
    conn.execute(_INSERT_ENTRY, {
        "studio_id": pass_.studio_id, "pass_id": pass_.id, "delta": -1,
        "reason": CreditReason.BOOKING, "booking_id": booking.id if booking else None,
        "appointment_id": appointment.id if appointment else None, "actor_id": None,
        "created_at": now})


def take_credit(studio, booking, *, now=None, nowait: bool = False) -> None:
    """Pay for a confirmed spot with the best eligible pass, locking the customer's passes
    (`nowait`: or raising at once when another transaction holds them)."""
    pass_ = pick_pass(studio, booking.customer, booking.scheduled_class, lock=True,
                      nowait=nowait)
    spend_credit(pass_, booking, now=now)


def booking_debit(booking) -> CreditEntry | None:
    return db.session.scalar(select(CreditEntry).where(
        CreditEntry.booking_id == booking.id, CreditEntry.reason == CreditReason.BOOKING))


@cache
def _debited_passes(nowait: bool) -> Select:
    return (select(Pass.id).join(CreditEntry, CreditEntry.pass_id == Pass.id)
            .where(CreditEntry.booking_id.in_(bindparam("booking_ids", expanding=True)),
                   CreditEntry.reason == CreditReason.BOOKING)
            .order_by(Pass.id).with_for_update(of=Pass, nowait=nowait))


def lock_debited_passes(booking_ids: list[int], *, nowait: bool = False) -> set[int]:
    """Lock the passes that paid for these bookings, in id order; their ids."""
    if not booking_ids:
        return set()
    return set(db.session.scalars(_debited_passes(nowait), {"booking_ids": booking_ids}))


def return_credit(booking=None, *, appointment=None, actor=None) -> CreditEntry | None:
    """Give back the credit a booking (or a 1:1 `appointment`) took, once, unless its pass has
    been revoked. The caller holds the pass's lock (lock_debited_passes, lock_session_pass)."""
    paid_for = (CreditEntry.booking_id == booking.id if booking is not None
                else CreditEntry.appointment_id == appointment.id)
    debit = db.session.scalar(select(CreditEntry).where(
        paid_for, CreditEntry.reason == CreditReason.BOOKING))
    if debit is None:
        return None
    already = db.session.scalar(select(CreditEntry.id).where(
        paid_for, CreditEntry.reason == CreditReason.RETURNED))
    pass_ = db.session.get(Pass, debit.pass_id)
    if already or pass_.status == PassStatus.REVOKED:
        return None
    return _entry(pass_, 1, CreditReason.RETURNED, booking=booking, appointment=appointment,
                  actor=actor)


def revoke_unused(pass_: Pass, *, actor) -> int:
    """Take away a refunded pass's unused credits; returns how many were revoked. The pass is
    locked first (a booking spending its last credit at the same moment waits, or is waited for).
    """
    db.session.execute(select(Pass.id).where(Pass.id == pass_.id).with_for_update())
    left = balances([pass_.id])[pass_.id] if not pass_.is_unlimited else 0
    if left > 0:
        _entry(pass_, -left, CreditReason.REVOKED, actor=actor)
    pass_.status = PassStatus.REVOKED
    db.session.flush()
    record("pass.revoked", actor=actor, studio_id=pass_.studio_id, subject=f"pass:{pass_.id}",
           credits=left)
    return left


def cancel_membership(pass_: Pass, *, actor) -> Pass:
    """Stop a membership from renewing; it stays usable until its period ends."""
    if not pass_.plan.is_membership:
        raise NotAMembership()
    pass_.cancel_at_period_end = True
    db.session.flush()
    return pass_


PLAN_FIELDS = ("kind", "name", "description", "price_minor", "credits", "validity_days",
               "validity_start", "period", "classes_per_week", "eligible_class_type_ids", "active",
               "freeze_allowed", "freeze_min_days", "freeze_max_days", "freezes_per_year",
               "freeze_fee_minor")


def save_plan(studio, plan: Plan | None = None, **fields) -> Plan:
    """Create or change one of the studio's plans, priced in its default location's currency.
    Only memberships are unlimited and renew; only the studio's own class types are kept."""
    from app.schedule.models import ClassType

    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown plan fields: {sorted(unknown)}")
    if plan is None:
        plan = Plan(studio_id=studio.id)
        db.session.add(plan)
    for key, value in fields.items():
        setattr(plan, key, value)
    plan.currency = studio.currency
    if plan.kind == PlanKind.MEMBERSHIP:
        plan.period = plan.period or Period.MONTH
    else:
        plan.period = None
        if plan.credits is None:
            raise InvalidInput()
    if plan.eligible_class_type_ids:
        own = set(db.session.scalars(select(ClassType.id).where(
            ClassType.studio_id == studio.id, ClassType.id.in_(plan.eligible_class_type_ids))))
        plan.eligible_class_type_ids = sorted(own)
    db.session.flush()
    return plan


def waive_late_cancel(studio, booking, *, actor) -> CreditEntry | None:
    """Give back the credit a late cancel kept, once, and audit it. None when there is nothing
    to give back (not a late cancel, no credit taken, given back already, pass revoked)."""
    if booking.studio_id != studio.id or booking.status != BookingStatus.LATE_CANCELLED:
        return None
    debit = booking_debit(booking)
    if debit is None:
        return None
    # Lock the pass: two waives of one booking at once queue up, and the second sees the first.
    lock_debited_passes([booking.id])
    entry = return_credit(booking, actor=actor)
    if entry is None:
        return None
    record("booking.late_cancel_waived", actor=actor, studio_id=studio.id,
           subject=f"booking:{booking.id}", pass_id=debit.pass_id, credits=1)
    return entry
