"""Three months of a studio's past, so every report shows something on first view: classes
held before its timetable began (the same series, further back) with check-ins, no-shows,
late cancels and waitlists that never moved; customers who joined over the months (some
left); their orders paid by cash, terminal or card, monthly memberships renewed or let go,
a freeze, refunds, and orders still owed at the desk.

Written as rows, not through the booking and selling services: those act now, and history is
then. Made once per studio (when it has no order older than its timetable)."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from app.billing.models import (
    Order,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentMethodKind,
    Refund,
)
from app.billing.services.orders import tax_breakdown, tax_lines
from app.bookings.models import Booking, BookingStatus
from app.extensions import db
from app.memberships.models import Pass, PassFreeze, PassStatus, Plan, PlanKind
from app.schedule.models import ScheduledClass, Series
from app.schedule.queries import local_today
from app.studios.services import ensure_customer

S = BookingStatus
DAYS = 91  # history reaches this many days back
GAP = 8  # and ends this many days ago, where the timetable's own classes begin
# Of the places booked in a past class: checked in, no-show, late cancel, cancelled in time.
OUTCOMES = ((S.ATTENDED, 0.82), (S.NO_SHOW, 0.08), (S.LATE_CANCELLED, 0.06), (S.CANCELLED, 0.04))
METHODS = (PaymentMethod.CASH, PaymentMethod.CARD_TERMINAL, PaymentMethod.STRIPE)
OWED_AGES = (3, 12, 25, 40, 70, 85)  # days: unpaid orders in each ageing bucket


def seed_history(studio, customers: list, rng: random.Random) -> None:
    """The studio's three months of history (once)."""
    today = local_today(studio.timezone)
    start = today - timedelta(days=DAYS)
    zone = ZoneInfo(studio.timezone)
    if db.session.scalar(select(Order.id).where(
            Order.studio_id == studio.id,
            Order.created_at < _at(today - timedelta(days=GAP), zone)).limit(1)):
        return
    people = customers[1:]  # the demo customer keeps their own, present-day wallet
    joined = {p.id: start + timedelta(days=rng.randint(-30, DAYS - 10)) for p in people}
    left = {p.id: joined[p.id] + timedelta(days=rng.randint(25, 80))
            for p in people if rng.random() < 0.25}
    _classes(studio, people, joined, left, start, today, zone, rng)
    _sales(studio, people, joined, left, today, zone, rng)


def _at(day, zone, clock=None) -> datetime:
    moment = datetime.combine(day, clock or datetime.min.time(), tzinfo=zone)
    return moment.astimezone(ZoneInfo("UTC"))


def _classes(studio, people, joined, left, start, today, zone, rng) -> None:
    series = db.session.scalars(select(Series).where(Series.studio_id == studio.id)
                                .order_by(Series.id)).all()
    held = []
    for n in range(DAYS - GAP + 1):
        day = start + timedelta(days=n)
        for s in series:
            if str(day.isoweekday()) in s.weekdays.split(","):
                begins = _at(day, zone, s.start_time)
                held.append(ScheduledClass(
                    studio_id=studio.id, class_type_id=s.class_type_id, location_id=s.location_id,
                    room_id=s.room_id, coach_id=s.coach_id, starts_at=begins,
                    ends_at=begins + timedelta(minutes=s.duration_minutes), capacity=s.capacity))
    db.session.add_all(held)
    db.session.flush()
    rows, seen = [], set()
    statuses, weights = zip(*OUTCOMES, strict=True)
    for cls in held:
        day = cls.starts_at.astimezone(zone).date()
        around = [p for p in people if joined[p.id] <= day < left.get(p.id, today)]
        full = rng.random() < 0.15 and len(around) > cls.capacity + 1
        count = cls.capacity + rng.randint(1, 3) if full else rng.randint(2, cls.capacity - 1)
        chosen = rng.sample(around, min(count, len(around)))
        for i, person in enumerate(chosen):
            status = (S.WAITLISTED if full and i >= cls.capacity
                      else S.ATTENDED if full else rng.choices(statuses, weights)[0])
            rows.append({"studio_id": studio.id, "class_id": cls.id, "customer_id": person.id,
                         "status": status, "booked_by_id": person.id,
                         "created_at": cls.starts_at - timedelta(days=2)})
            seen.add(person.id)
    if rows:
        db.session.execute(insert(Booking), rows)
    for person in people:
        if person.id in seen:
            ensure_customer(studio, person)


def _sales(studio, people, joined, left, today, zone, rng) -> None:
    plans = {p.kind: p for p in db.session.scalars(
        select(Plan).where(Plan.studio_id == studio.id).order_by(Plan.id.desc()))}
    kinds = (PlanKind.DROP_IN, PlanKind.INTRO, PlanKind.CLASS_PACK, PlanKind.MEMBERSHIP)
    paid = []
    for person in people:
        day = joined[person.id]
        if day > today - timedelta(days=GAP):
            continue
        kind = rng.choices(kinds, (2, 2, 3, 3))[0]
        if kind != PlanKind.MEMBERSHIP:
            paid.append(_order(studio, plans[kind], person, _at(day, zone) + timedelta(hours=10),
                               rng))
            continue
        # Monthly memberships from the day they joined until they left (or now).
        while day < min(left.get(person.id, today), today - timedelta(days=GAP)):
            moment = _at(day, zone) + timedelta(hours=10)
            order = _order(studio, plans[kind], person, moment, rng)
            paid.append(order)
            ends = day + timedelta(days=30)
            db.session.add(Pass(
                studio_id=studio.id, customer_id=person.id, plan_id=order.plan_id,
                order_id=order.id, credits_total=None, starts_at=moment,
                expires_at=_at(ends, zone), created_at=moment, status=PassStatus.ACTIVE,
                cancel_at_period_end=person.id in left and ends >= left[person.id]))
            day = ends
    db.session.flush()
    _refunds(studio, paid, rng)
    _freeze(studio, today)
    _owed(studio, plans[PlanKind.CLASS_PACK], people, today, zone, rng)


def _order(studio, plan, person, moment, rng, *, paid=True) -> Order:
    taxes = tax_breakdown(studio, plan.price_minor, on=moment)
    order = Order(studio_id=studio.id, customer_id=person.id, plan_id=plan.id,
                  status=OrderStatus.PAID if paid else OrderStatus.AWAITING_PAYMENT,
                  currency=plan.currency, description=plan.name, unit_minor=plan.price_minor,
                  net_minor=taxes.net_minor, tax_minor=taxes.gross_minor - taxes.net_minor,
                  gross_minor=taxes.gross_minor, taxes=tax_lines(taxes),
                  prices_include_tax=studio.prices_include_tax, created_at=moment,
                  paid_at=moment if paid else None, location_id=studio.default_location_id,
                  payment_method_kind=PaymentMethodKind.AT_STUDIO)
    db.session.add(order)
    db.session.flush()
    if paid:
        order.payments.append(Payment(
            studio_id=studio.id, amount_minor=order.gross_minor, currency=order.currency,
            method=rng.choice(METHODS), received_at=moment, created_at=moment))
    return order


def _refunds(studio, paid, rng) -> None:
    """A few paid orders given back, in full or in half, a few days after."""
    for order in rng.sample(paid, min(4, len(paid))):
        payment = order.payments[0]
        amount = payment.amount_minor if rng.random() < 0.5 else payment.amount_minor // 2
        payment.refunded_minor = amount
        db.session.add(Refund(studio_id=studio.id, payment=payment, amount_minor=amount,
                              reason="Demo: moved away",
                              created_at=payment.received_at + timedelta(days=3)))
    db.session.flush()


def _freeze(studio, today) -> None:
    """The latest history membership paused for ten days of its month."""
    latest = db.session.scalar(select(Pass).where(
        Pass.studio_id == studio.id, Pass.order_id.is_not(None), Pass.credits_total.is_(None),
        Pass.frozen_from.is_(None)).order_by(Pass.created_at.desc()).limit(1))
    if latest is not None:
        first = latest.created_at.date() + timedelta(days=5)
        db.session.add(PassFreeze(studio_id=studio.id, pass_id=latest.id, starts_on=first,
                                  ends_on=first + timedelta(days=9), days=10))


def _owed(studio, plan, people, today, zone, rng) -> None:
    """Orders to be paid at the desk, of each age, not paid yet."""
    for age, person in zip(OWED_AGES, rng.sample(people, len(OWED_AGES)), strict=True):
        _order(studio, plan, person, _at(today - timedelta(days=age), zone)
               + timedelta(hours=11), rng, paid=False)
    db.session.flush()
