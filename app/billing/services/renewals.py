"""Memberships renewing and stopping. Paid at the studio, a membership renews at its period
end: the pass runs on for another period and a new order waits for the desk. Paid by card,
Stripe bills each period and its invoice becomes an order here."""


import time

from sqlalchemy import or_, select

from app.billing.models import Order, OrderStatus, PaymentMethodKind, StripeSubscription
from app.billing.services.orders import price, tax_lines
from app.billing.services.payments import refund_breakdown
from app.billing.stripe import gateway as stripe_gateway
from app.core.db import utcnow
from app.core.jobs import enqueue_after_commit
from app.extensions import db
from app.memberships.models import Pass, PassStatus, Period, Plan, PlanKind
from app.memberships.services import add_months, cancel_membership
from app.studios.models import Studio


def renew_due_memberships(now=None) -> list[Order]:
    """Renew every pay-at-the-studio membership whose period has ended and that was not
    stopped, in studios that are open. Rows are locked and skipped when busy, so two runs
    never renew one pass twice."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Pass).join(Plan, Plan.id == Pass.plan_id).join(Order, Order.id == Pass.order_id)
        .where(Plan.kind == PlanKind.MEMBERSHIP, Pass.status == PassStatus.ACTIVE,
               Pass.cancel_at_period_end.is_(False), Pass.expires_at <= now,
               # a paused membership renews after its pause (its end moved past it anyway)
               or_(Pass.frozen_from.is_(None), Pass.frozen_from > now, Pass.frozen_until <= now),
               Order.payment_method_kind == PaymentMethodKind.AT_STUDIO,
               # a suspended studio bills nobody; it renews when opened again
               Pass.studio_id.in_(select(Studio.id).where(Studio.suspended_at.is_(None))))
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
                  gross_minor=breakdown.gross_minor, taxes=tax_lines(breakdown),
                  prices_include_tax=studio.prices_include_tax)
    db.session.add(order)
    pass_.expires_at = add_months(pass_.expires_at, 12 if plan.period == Period.YEAR else 1)
    db.session.flush()
    enqueue_after_commit("workers.jobs.notifications.send_membership_notice", pass_.id,
                         "membership_renewed", order.id, queue="notifications")
    return order

def place_renewal_order(studio, first: Order, *, amount_minor: int, invoice_id: str) -> Order:
    """A membership's next period, billed by its Stripe subscription: the first order's plan
    and frozen tax rates, for what Stripe charged."""
    if amount_minor == first.gross_minor:
        net, tax_lines = first.net_minor, first.taxes
    else:
        split = refund_breakdown(first, amount_minor)
        net, tax_lines = split["net_minor"], split["taxes"]
    order = Order(studio_id=studio.id, customer_id=first.customer_id, plan_id=first.plan_id,
                  status=OrderStatus.AWAITING_PAYMENT, currency=first.currency,
                  description=dict(first.description), unit_minor=net, net_minor=net,
                  tax_minor=amount_minor - net, gross_minor=amount_minor, taxes=tax_lines,
                  prices_include_tax=first.prices_include_tax,
                  payment_method_kind=PaymentMethodKind.CARD,
                  stripe_subscription_id=first.stripe_subscription_id,
                  stripe_invoice_id=invoice_id, customer=first.customer, plan=first.plan)
    db.session.add(order)
    db.session.flush()
    return order


def stop_membership(pass_: Pass, *, actor) -> Pass:
    """Stop a membership from renewing; one paid by card also stops its Stripe subscription
    (first, so a Stripe error leaves everything as it was)."""
    sub = db.session.scalar(select(StripeSubscription).where(
        StripeSubscription.order_id == pass_.order_id)) if pass_.order_id else None
    if sub is not None and not sub.ended and pass_.plan.is_membership:
        from app.studios.models import Studio

        stripe_gateway.stop_renewal(db.session.get(Studio, sub.studio_id), sub.subscription_id)
        sub.cancel_at_period_end = True
        sub.state_at = max(sub.state_at, int(time.time()))  # snapshots before the stop are stale
    return cancel_membership(pass_, actor=actor)
