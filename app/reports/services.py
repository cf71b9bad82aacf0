"""The report summaries recounted from the rows they summarise, in Python.

PostgreSQL keeps the summaries with triggers (migration 0044) in the transaction that changes a
booking, a class or money; the tests hold those triggers to this recount after every kind of
change. The SQLite embedded default keeps only the class tallies by trigger: before a report is
read there, `refresh_here` writes the studio's other summaries from this recount into the
request's transaction, which ends in a rollback like any request that wrote (a quick start holds
a few thousand rows: a recount is a blink).
"""

import json
from collections import Counter, defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from app.billing.models import DocumentKind, Invoice, Order, OrderStatus, Payment, Refund
from app.bookings.models import Booking, BookingStatus, CancelReason
from app.core.db import is_postgresql
from app.extensions import db
from app.reports.models import Cohort, CustomerFirst, CustomerMonth, RevenueDay, TaxDay
from app.schedule.models import ClassStatus, ScheduledClass
from app.studios.models import Location

S = BookingStatus
# Bookings that kept their place: what months, first bookings and cohorts count.
BOOKED = (S.CONFIRMED, S.ATTENDED, S.NO_SHOW, S.LATE_CANCELLED)
TALLIES = ("confirmed", "offered", "waitlisted", "attended", "no_show", "late_cancelled",
           "cancelled", "lapsed")
FOLLOWED = 3  # months after the first a cohort is followed (queries/retention.py)


def _bucket(booking: Booking) -> str:
    if booking.status == S.CANCELLED and booking.cancel_reason == CancelReason.OFFER_EXPIRED:
        return "lapsed"
    return booking.status.value


def _zones(studio) -> dict[int, str]:
    return dict(db.session.execute(select(Location.id, Location.timezone)
                                   .where(Location.studio_id == studio.id)).all())


def recount_bookings(studio) -> dict:
    """From the studio's bookings alone: each class's tallies, each customer's bookings per
    month (the class's local month, year × 12 + month − 1), their firsts (first booked class,
    first visited class, first month, a bit per later month booked) and the cohorts."""
    db.session.flush()
    classes = {c.id: c for c in db.session.scalars(
        select(ScheduledClass).where(ScheduledClass.studio_id == studio.id))}
    zones = _zones(studio)
    bookings = db.session.scalars(select(Booking).where(Booking.studio_id == studio.id)
                                  .execution_options(populate_existing=True)).all()
    tallies = {cid: dict.fromkeys(TALLIES, 0) for cid in classes}
    months, booked, visits = Counter(), defaultdict(list), defaultdict(list)
    for b in bookings:
        cls = classes[b.class_id]
        tallies[cls.id][_bucket(b)] += 1
        order = (cls.starts_at, b.id)
        if b.status in BOOKED and cls.status == ClassStatus.SCHEDULED:
            local = cls.starts_at.astimezone(ZoneInfo(zones[cls.location_id]))
            months[(b.customer_id, local.year * 12 + local.month - 1)] += 1
            booked[b.customer_id].append((order, cls.id))
        if b.status == S.ATTENDED:
            visits[b.customer_id].append((order, cls.id))
    firsts, cohorts = {}, Counter()
    for customer in booked.keys() | visits.keys():
        mine = [m for (c, m) in months if c == customer]
        first = min(mine) if mine else None
        later = [k for k in range(1, FOLLOWED + 1) if first is not None and first + k in mine]
        firsts[customer] = (min(booked[customer])[1] if booked[customer] else None,
                            min(visits[customer])[1] if visits[customer] else None,
                            first, sum(1 << (k - 1) for k in later))
        if first is not None:
            cohorts.update([(first, 0), *((first, k) for k in later)])
    return {"tallies": tallies, "months": dict(months), "firsts": firsts,
            "cohorts": dict(cohorts)}


def recount_money(studio) -> dict:
    """From the studio's orders, payments, refunds and credit notes alone, per location and
    local day there (of the location an order was sold at, else the studio's default): `lines`
    keyed (location, day, currency, line, plan, method) → [n, net, tax, amount], and `taxes`
    keyed (location, day, currency, code, rate) → [lines, base, collected, given back]; `names`
    the taxes' names by (code, rate)."""
    db.session.flush()
    zones = _zones(studio)
    orders = {o.id: o for o in db.session.scalars(select(Order).where(
        Order.studio_id == studio.id).execution_options(populate_existing=True))}
    lines, taxes = defaultdict(lambda: [0, 0, 0, 0]), defaultdict(lambda: [0, 0, 0, 0])
    names = {}

    def day(at, loc):
        return at.astimezone(ZoneInfo(zones[loc])).date()

    def add(table, key, *values):
        table[key] = [a + b for a, b in zip(table[key], values, strict=True)]

    def sold_at(order):
        return order.location_id or studio.default_location_id

    for o in orders.values():
        if o.status == OrderStatus.PAID and o.paid_at:
            loc = sold_at(o)
            d = day(o.paid_at, loc)
            add(lines, (loc, d, o.currency, "sale", o.plan_id or 0, ""), 1, o.net_minor,
                o.tax_minor, o.gross_minor)
            for t in o.taxes or []:
                rate = Decimal(t["rate"])
                add(taxes, (loc, d, o.currency, t["code"], rate), 1, o.net_minor,
                    t["amount_minor"], 0)
                names[(t["code"], rate)] = t.get("name")
    payments = {p.id: p for p in db.session.scalars(select(Payment).where(
        Payment.studio_id == studio.id).execution_options(populate_existing=True))}
    for p in payments.values():
        loc = sold_at(orders[p.order_id])
        add(lines, (loc, day(p.received_at, loc), p.currency, "payment", 0, p.method.value),
            1, 0, 0, p.amount_minor)
    for r in db.session.scalars(select(Refund).where(Refund.studio_id == studio.id)):
        p = payments[r.payment_id]
        loc = sold_at(orders[p.order_id])
        add(lines, (loc, day(r.created_at, loc), p.currency, "refund", 0, ""), 1, 0, 0,
            r.amount_minor)
    for i in db.session.scalars(select(Invoice).where(
            Invoice.studio_id == studio.id, Invoice.kind == DocumentKind.CREDIT_NOTE)):
        loc = sold_at(orders[i.order_id])
        d = day(i.issued_at, loc)
        add(lines, (loc, d, i.currency, "credit_note", 0, ""), 1, 0, 0, i.gross_minor)
        totals = i.snapshot["totals"]
        for t in totals["taxes"]:
            rate = Decimal(t["rate"])
            add(taxes, (loc, d, i.currency, t["code"], rate), 1, -totals["net_minor"], 0,
                t["amount_minor"])
            names.setdefault((t["code"], rate), t.get("name"))
    return {"lines": {k: v for k, v in lines.items() if v[0]},
            "taxes": {k: v for k, v in taxes.items() if v[0]}, "names": names}


def _name(names) -> str | None:
    return json.dumps(names, ensure_ascii=False) if names else None


def refresh_here(studio) -> None:
    """On the SQLite embedded default, write the studio's summaries that no trigger keeps there
    (customers' months, firsts and cohorts, the daily money and taxes) from the recount, into
    the current transaction. On PostgreSQL the triggers keep them: nothing to do."""
    if is_postgresql():
        return
    for model in (CustomerMonth, CustomerFirst, Cohort, RevenueDay, TaxDay):
        db.session.execute(delete(model).where(model.studio_id == studio.id))
    kept = recount_bookings(studio)
    money = recount_money(studio)
    sid = studio.id
    db.session.add_all(
        [CustomerMonth(studio_id=sid, customer_id=c, month=m, bookings=n)
         for (c, m), n in kept["months"].items()]
        + [CustomerFirst(studio_id=sid, customer_id=c, first_booked_class_id=booked,
                         first_visit_class_id=visited, first_month=first, kept=later)
           for c, (booked, visited, first, later) in kept["firsts"].items()]
        + [Cohort(studio_id=sid, first_month=first, k=k, customers=n)
           for (first, k), n in kept["cohorts"].items()]
        + [RevenueDay(studio_id=sid, location_id=loc, day=d, currency=cur, line=line,
                      plan_id=plan, method=method, n=n, net_minor=net, tax_minor=tax,
                      amount_minor=amount)
           for (loc, d, cur, line, plan, method), (n, net, tax, amount)
           in money["lines"].items()]
        + [TaxDay(studio_id=sid, location_id=loc, day=d, currency=cur, code=code, rate=rate,
                  name=_name(money["names"].get((code, rate))), lines=n, base_minor=base,
                  collected_minor=collected, returned_minor=returned)
           for (loc, d, cur, code, rate), (n, base, collected, returned)
           in money["taxes"].items()])
    db.session.flush()
