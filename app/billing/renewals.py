"""Memberships paid at the studio renew at their period end: the pass runs on for another
period and a new order waits for the desk. (Card memberships renew through Stripe.)"""

from sqlalchemy import select

from app.billing.models import Order, OrderStatus, PaymentMethodKind
from app.billing.services import _tax_lines, price
from app.core.db import utcnow
from app.extensions import db
from app.memberships.models import Pass, PassStatus, Period, Plan, PlanKind
from app.memberships.services import add_months
from app.studios.models import Studio


def renew_due_memberships(now=None) -> list[Order]:
    """Renew every pay-at-the-studio membership whose period has ended and that was not
    stopped. Rows are locked and skipped when busy, so two runs never renew one pass twice."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Pass).join(Plan, Plan.id == Pass.plan_id).join(Order, Order.id == Pass.order_id)
        .where(Plan.kind == PlanKind.MEMBERSHIP, Pass.status == PassStatus.ACTIVE,
               Pass.cancel_at_period_end.is_(False), Pass.expires_at <= now,
               Order.payment_method_kind == PaymentMethodKind.AT_STUDIO)
        .with_for_update(of=Pass, skip_locked=True)
    ).unique().all()
    return [renew(pass_, now=now) for pass_ in due]


def renew(pass_: Pass, *, now) -> Order:
    """One more period for `pass_`, owed at the desk at the plan's current price."""
    plan = pass_.plan
    studio = db.session.get(Studio, plan.studio_id)
    breakdown = price(studio, plan, on=now)
    order = Order(studio_id=pass_.studio_id, customer_id=pass_.customer_id, plan_id=plan.id,
                  status=OrderStatus.AWAITING_PAYMENT, currency=plan.currency,
                  description=dict(plan.name), unit_minor=plan.price_minor,
                  net_minor=breakdown.net_minor, tax_minor=breakdown.tax_minor,
                  gross_minor=breakdown.gross_minor, taxes=_tax_lines(breakdown),
                  prices_include_tax=studio.prices_include_tax)
    db.session.add(order)
    pass_.expires_at = add_months(pass_.expires_at, 12 if plan.period == Period.YEAR else 1)
    db.session.flush()
    return order

