"""Money owed at the desk: orders a customer chose to pay at the studio and has not paid in
full, today, by age (local days since the order, at the location it was sold at), each
currency on its own. The period does not apply (what is owed is owed now); the location does."""

from collections import defaultdict
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import case, func, literal, select

from app.accounts.models import User
from app.billing.models import Order, OrderStatus, Payment, PaymentMethodKind
from app.core.db import UTCDateTime, local_day_number
from app.extensions import db
from app.studios.models import Location

from . import COUNT, CUSTOMER, MONEY, TEXT, Table, bar_chart, decimal_amount
from .revenue import sold_at

# Upper bounds (days, included) of the ageing buckets; the last is open.
BUCKETS = (7, 30, 60)


def bucket_labels() -> list[str]:
    return [_("0–7 days"), _("8–30 days"), _("31–60 days"), _("Over 60 days")]


def _owing(studio, filters, now: datetime):
    paid = (select(Payment.order_id, func.sum(Payment.amount_minor).label("paid"))
            .where(Payment.studio_id == studio.id).group_by(Payment.order_id).subquery())
    owed = Order.gross_minor - func.coalesce(paid.c.paid, 0)
    age = (local_day_number(literal(now, UTCDateTime), Location.timezone)
           - local_day_number(Order.created_at, Location.timezone))
    bucket = case(*((age <= days, n) for n, days in enumerate(BUCKETS)), else_=len(BUCKETS))
    conds = [Order.studio_id == studio.id, Order.status == OrderStatus.AWAITING_PAYMENT,
             Order.payment_method_kind == PaymentMethodKind.AT_STUDIO, owed > 0]
    if filters.location_id:
        conds.append(Location.id == filters.location_id)
    return db.session.execute(
        select(Order.customer_id, User.name, Order.currency,
               func.count(Order.id).label("orders"), func.max(age).label("oldest"),
               *(func.coalesce(func.sum(owed).filter(bucket == n), 0).label(f"b{n}")
                 for n in range(len(BUCKETS) + 1)))
        .join(Location, sold_at(studio)).join(User, User.id == Order.customer_id)
        .outerjoin(paid, paid.c.order_id == Order.id)
        .where(*conds)
        .group_by(Order.customer_id, User.name, Order.currency)).all()


def money_owed(studio, filters, now: datetime) -> dict:
    """Per currency, what is owed in each age bucket; per customer, what they owe."""
    labels = bucket_labels()
    keys = [f"b{n}" for n in range(len(labels))]
    rows = sorted(_owing(studio, filters, now), key=lambda r: (r.currency, -int(r.oldest),
                                                               r.name or ""))
    per_currency = defaultdict(lambda: [0] * len(keys))
    customers = Table("owed-customers", [
        (_("Customer"), CUSTOMER), (_("Currency"), TEXT), (_("Unpaid orders"), COUNT),
        (_("Oldest (days)"), COUNT), *((label, MONEY) for label in labels),
        (_("Total owed"), MONEY)])
    for r in rows:
        amounts = [int(getattr(r, k)) for k in keys]
        per_currency[r.currency] = [a + b for a, b in zip(per_currency[r.currency], amounts,
                                                          strict=True)]
        customers.rows.append([(r.customer_id, r.name), r.currency, r.orders, int(r.oldest),
                               *((a, r.currency) for a in amounts),
                               (sum(amounts), r.currency)])
    ageing = Table("owed", [(_("Currency"), TEXT), *((label, MONEY) for label in labels),
                            (_("Total owed"), MONEY)])
    for cur, amounts in sorted(per_currency.items()):
        ageing.rows.append([cur, *((a, cur) for a in amounts), (sum(amounts), cur)])
    charts = [(cur, bar_chart(labels, [(_("Owed (%(currency)s)", currency=cur),
                                        [float(decimal_amount(a, cur)) for a in amounts])]))
              for cur, amounts in sorted(per_currency.items())]
    return {"table": ageing, "customers": customers, "charts": charts}
