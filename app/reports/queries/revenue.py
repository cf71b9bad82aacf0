"""Revenue and taxes: paid orders, payments received, refunds and credit notes in the period,
each on the local day of the location it was sold at, grouped by currency (never added across
currencies). The location filter applies; the class-type filter does not (sales are plans).
Read from the daily summaries the money's triggers keep (app/reports/models.py): the work
follows the days of the period, not the orders of the year."""

import json
from collections import defaultdict
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.billing.models import Order, PaymentMethod
from app.core.i18n import translated
from app.extensions import db
from app.memberships.models import Plan, PlanKind
from app.reports.models import RevenueDay, TaxDay
from app.studios.models import Location

from . import COUNT, MONEY, TEXT, Table, bar_chart, decimal_amount


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


def _days(model, studio, filters) -> list:
    """Conditions on a summary by local day (RevenueDay, TaxDay): the period and location."""
    conds = [model.studio_id == studio.id, model.day >= filters.start, model.day <= filters.end]
    if filters.location_id:
        conds.append(model.location_id == filters.location_id)
    return conds


def _lines(studio, filters, line, *keys):
    d = RevenueDay
    return db.session.execute(
        select(*keys, func.sum(d.n).label("n"), func.sum(d.net_minor).label("net"),
               func.sum(d.tax_minor).label("tax"), func.sum(d.amount_minor).label("amount"))
        .where(d.line == line, *_days(d, studio, filters))
        .group_by(*keys)).all()


def _sales(studio, filters):
    d = RevenueDay
    return db.session.execute(
        select(d.currency, Plan.kind, d.plan_id, func.sum(d.n).label("n"),
               func.sum(d.net_minor).label("net"), func.sum(d.tax_minor).label("tax"),
               func.sum(d.amount_minor).label("gross"))
        .outerjoin(Plan, Plan.id == d.plan_id)
        .where(d.line == "sale", *_days(d, studio, filters))
        .group_by(d.currency, Plan.kind, d.plan_id)).all()


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
    for r in _lines(studio, filters, "payment", RevenueDay.currency, RevenueDay.method):
        received[r.currency] += int(r.amount)
        lines.append((r.currency, 0, methods[r.method], r.n, int(r.amount)))
    for r in _lines(studio, filters, "refund", RevenueDay.currency):
        refunded[r.currency] += int(r.amount)
        lines.append((r.currency, 1, _("Refunds"), r.n, -int(r.amount)))
    for r in _lines(studio, filters, "credit_note", RevenueDay.currency):
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
    t = TaxDay
    rows = db.session.execute(
        select(t.currency, Location.tax_jurisdiction, t.code, t.rate,
               func.sum(t.base_minor).label("base"), func.sum(t.collected_minor).label("collected"),
               func.sum(t.returned_minor).label("returned"), func.max(t.name).label("name"))
        .join(Location, Location.id == t.location_id)
        .where(*_days(t, studio, filters))
        .group_by(t.currency, Location.tax_jurisdiction, t.code, t.rate)).all()
    sums = {}
    for cur, jurisdiction, code, rate, base, collected, returned, name in rows:
        key = (cur, jurisdiction, code, Decimal(str(rate)))
        sums[key] = {"base": int(base), "collected": int(collected), "returned": int(returned),
                     "name": translated(json.loads(name)) if name else ""}
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
