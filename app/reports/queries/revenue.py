"""Revenue and taxes: paid orders, payments received, refunds and credit notes in the period,
each on the local day of the location it was sold at, grouped by currency (never added across
currencies). The location filter applies; the class-type filter does not (sales are plans)."""

from collections import defaultdict
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.billing.models import (
    DocumentKind,
    Invoice,
    Order,
    OrderStatus,
    Payment,
    PaymentMethod,
    Refund,
)
from app.core.i18n import translated
from app.extensions import db
from app.memberships.models import Plan, PlanKind
from app.studios.models import Location

from . import COUNT, MONEY, TEXT, Table, bar_chart, decimal_amount, local_period


def kind_labels() -> dict:
    return {PlanKind.DROP_IN: _("Drop-ins"), PlanKind.CLASS_PACK: _("Class packs"),
            PlanKind.MEMBERSHIP: _("Memberships"), PlanKind.INTRO: _("Intro offers"),
            None: _("Fees")}


def method_labels() -> dict:
    return {PaymentMethod.STRIPE: _("Card (online)"), PaymentMethod.CARD_TERMINAL: _("Terminal"),
            PaymentMethod.CASH: _("Cash")}


def sold_at(studio):
    """The location an order was sold at (older orders: the studio's default)."""
    return Location.id == func.coalesce(Order.location_id, studio.default_location_id)


def _orders(studio, filters, instant):
    conds = [Order.studio_id == studio.id, *local_period(instant, Location.timezone, filters)]
    if filters.location_id:
        conds.append(Location.id == filters.location_id)
    return conds


def _sales(studio, filters):
    return db.session.execute(
        select(Order.currency, Plan.kind, Order.plan_id, func.count(Order.id).label("n"),
               func.sum(Order.net_minor).label("net"), func.sum(Order.tax_minor).label("tax"),
               func.sum(Order.gross_minor).label("gross"))
        .join(Location, sold_at(studio)).outerjoin(Plan, Plan.id == Order.plan_id)
        .where(Order.status == OrderStatus.PAID, *_orders(studio, filters, Order.paid_at))
        .group_by(Order.currency, Plan.kind, Order.plan_id)).all()


def _payments(studio, filters):
    return db.session.execute(
        select(Payment.currency, Payment.method, func.count(Payment.id).label("n"),
               func.sum(Payment.amount_minor).label("amount"))
        .join(Order, Order.id == Payment.order_id).join(Location, sold_at(studio))
        .where(Payment.studio_id == studio.id,
               *_orders(studio, filters, Payment.received_at))
        .group_by(Payment.currency, Payment.method)).all()


def _refunds(studio, filters):
    return db.session.execute(
        select(Payment.currency, func.count(Refund.id).label("n"),
               func.sum(Refund.amount_minor).label("amount"))
        .join(Payment, Payment.id == Refund.payment_id)
        .join(Order, Order.id == Payment.order_id).join(Location, sold_at(studio))
        .where(Refund.studio_id == studio.id, *_orders(studio, filters, Refund.created_at))
        .group_by(Payment.currency)).all()


def _credit_notes(studio, filters):
    return db.session.execute(
        select(Invoice.currency, func.count(Invoice.id).label("n"),
               func.sum(Invoice.gross_minor).label("amount"))
        .join(Order, Order.id == Invoice.order_id).join(Location, sold_at(studio))
        .where(Invoice.studio_id == studio.id, Invoice.kind == DocumentKind.CREDIT_NOTE,
               *_orders(studio, filters, Invoice.issued_at))
        .group_by(Invoice.currency)).all()


def revenue(studio, filters) -> dict:
    plans = dict(db.session.execute(select(Plan.id, Plan.name)
                                    .where(Plan.studio_id == studio.id)).all())
    kinds = kind_labels()
    sales = Table("revenue", [(_("Currency"), TEXT), (_("Plan kind"), TEXT), (_("Plan"), TEXT),
                              (_("Orders"), COUNT), (_("Net"), MONEY), (_("Tax"), MONEY),
                              (_("Gross"), MONEY)])
    rows = sorted(_sales(studio, filters), key=lambda r: (
        r.currency, list(kinds).index(r.kind), translated(plans.get(r.plan_id))))
    for r in rows:
        cur = r.currency
        sales.rows.append([cur, kinds[r.kind],
                           translated(plans.get(r.plan_id)) if r.plan_id else kinds[None],
                           r.n, (int(r.net), cur), (int(r.tax), cur), (int(r.gross), cur)])
    money = Table("payments", [(_("Currency"), TEXT), (_("Line"), TEXT), (_("Count"), COUNT),
                               (_("Amount"), MONEY)])
    received, refunded = defaultdict(int), defaultdict(int)
    methods = method_labels()
    lines = []
    for r in _payments(studio, filters):
        received[r.currency] += int(r.amount)
        lines.append((r.currency, 0, methods[r.method], r.n, int(r.amount)))
    for r in _refunds(studio, filters):
        refunded[r.currency] += int(r.amount)
        lines.append((r.currency, 1, _("Refunds"), r.n, -int(r.amount)))
    for r in _credit_notes(studio, filters):
        lines.append((r.currency, 2, _("Credit notes issued"), r.n, -int(r.amount)))
    for cur in received.keys() | refunded.keys():
        lines.append((cur, 3, _("Net received"), None, received[cur] - refunded[cur]))
    for cur, _order, label, n, amount in sorted(lines, key=lambda x: (x[0], x[1], x[2])):
        money.rows.append([cur, label, n, (amount, cur)])
    charts = {}
    for r in rows:
        chart = charts.setdefault(r.currency, defaultdict(int))
        chart[kinds[r.kind]] += int(r.gross)
    return {"table": sales, "payments": money,
            "charts": [(cur, bar_chart(list(by_kind), [
                (_("Gross sales (%(currency)s)", currency=cur),
                 [float(decimal_amount(v, cur)) for v in by_kind.values()])]))
                for cur, by_kind in sorted(charts.items())]}


def taxes(studio, filters) -> dict:
    """Taxes collected per jurisdiction, tax and rate: on orders paid in the period, less what
    credit notes issued in the period gave back, with the taxable amount of each."""
    sums = defaultdict(lambda: {"base": 0, "collected": 0, "returned": 0, "name": ""})
    paid = db.session.execute(
        select(Location.tax_jurisdiction, Order.currency, Order.net_minor, Order.taxes)
        .join(Location, sold_at(studio))
        .where(Order.status == OrderStatus.PAID, *_orders(studio, filters, Order.paid_at))).all()
    for jurisdiction, currency, net, lines in paid:
        for t in lines or ():
            key = (currency, jurisdiction, t["code"], Decimal(str(t["rate"])))
            sums[key]["base"] += net
            sums[key]["collected"] += t["amount_minor"]
            sums[key]["name"] = translated(t["name"])
    notes = db.session.execute(
        select(Location.tax_jurisdiction, Invoice.currency, Invoice.snapshot)
        .join(Order, Order.id == Invoice.order_id).join(Location, sold_at(studio))
        .where(Invoice.studio_id == studio.id, Invoice.kind == DocumentKind.CREDIT_NOTE,
               *_orders(studio, filters, Invoice.issued_at))).all()
    for jurisdiction, currency, snapshot in notes:
        totals = snapshot.get("totals", {})
        for t in totals.get("taxes", ()):
            key = (currency, jurisdiction, t["code"], Decimal(str(t["rate"])))
            sums[key]["base"] -= totals.get("net_minor", 0)
            sums[key]["returned"] += t["amount_minor"]
            sums[key]["name"] = sums[key]["name"] or translated(t["name"])
    table = Table("taxes", [(_("Currency"), TEXT), (_("Jurisdiction"), TEXT), (_("Tax"), TEXT),
                            (_("Rate (%)"), TEXT), (_("Taxable amount"), MONEY),
                            (_("Collected"), MONEY), (_("Given back"), MONEY),
                            (_("Net tax"), MONEY)])
    charts = defaultdict(dict)
    for (cur, jurisdiction, code, rate), s in sorted(sums.items()):
        net = s["collected"] - s["returned"]
        table.rows.append([cur, jurisdiction or "–", s["name"] or code, f"{rate.normalize():f}",
                           (s["base"], cur), (s["collected"], cur), (-s["returned"], cur),
                           (net, cur)])
        charts[cur][f"{jurisdiction} {s['name'] or code} {rate.normalize():f}%"] = net
    return {"table": table,
            "charts": [(cur, bar_chart(list(by), [
                (_("Net tax (%(currency)s)", currency=cur),
                 [float(decimal_amount(v, cur)) for v in by.values()])]))
                for cur, by in sorted(charts.items())]}
