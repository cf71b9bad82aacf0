"""Pausing a membership: the pass (memberships.freezes.freeze_pass), its card billing at
Stripe, the plan's fee owed at the desk, and the audit log.

Paid at the studio, a paused membership simply renews later: its end moved by the paused days,
so no renewal falls inside the pause (renewals.py also skips a pass while it is frozen). Paid
by card, Stripe's subscription stops billing for the pause (`pause_collection`, resuming by
itself at the pause's end); Stripe is asked first, so its refusal leaves everything as it was.
"""

from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.audit.services import record
from app.billing.models import Order, OrderStatus, StripeSubscription
from app.billing.services.orders import tax_breakdown, tax_lines
from app.billing.stripe import gateway as stripe_gateway
from app.core.jobs import enqueue_after_commit
from app.extensions import db
from app.memberships.freezes import freeze_pass
from app.memberships.models import Pass, PassFreeze


def _fee_order(studio, pass_: Pass, amount: int) -> Order:
    names = {}
    for lang in ("en", "ar"):
        with force_locale(lang):
            names[lang] = _("Membership pause fee")
    breakdown = tax_breakdown(studio, amount)
    order = Order(studio_id=studio.id, customer_id=pass_.customer_id, plan_id=None,
                  status=OrderStatus.AWAITING_PAYMENT, currency=studio.currency,
                  description=names, unit_minor=amount, net_minor=breakdown.net_minor,
                  tax_minor=breakdown.tax_minor, gross_minor=breakdown.gross_minor,
                  taxes=tax_lines(breakdown), prices_include_tax=studio.prices_include_tax)
    db.session.add(order)
    db.session.flush()
    return order


def freeze_membership(studio, pass_: Pass, *, starts_on: date, ends_on: date, actor,
                      now=None) -> PassFreeze:
    """Pause `pass_` (a membership) for the local days `starts_on`..`ends_on`, by the customer
    or by staff: its end moves, its card billing pauses, the plan's fee is owed. Audited."""
    db.session.execute(select(Pass.id).where(Pass.id == pass_.id).with_for_update())
    db.session.refresh(pass_)  # two pauses at once: the second sees the first
    freeze = freeze_pass(studio, pass_, starts_on=starts_on, ends_on=ends_on,
                         tz=studio.timezone, actor=actor, now=now)
    sub = db.session.scalar(select(StripeSubscription).where(
        StripeSubscription.order_id == pass_.order_id)) if pass_.order_id else None
    if sub is not None and not sub.ended:
        stripe_gateway.pause_collection(studio, sub.subscription_id,
                                        resumes_at=int(pass_.frozen_until.timestamp()),
                                        key=f"{studio.id}-{freeze.id}")
        freeze.paused_at_stripe = True
    if pass_.plan.freeze_fee_minor > 0:
        freeze.fee_order_id = _fee_order(studio, pass_, pass_.plan.freeze_fee_minor).id
    db.session.flush()
    record("membership.frozen", actor=actor, studio_id=studio.id, subject=f"pass:{pass_.id}",
           starts_on=starts_on.isoformat(), ends_on=ends_on.isoformat(), days=freeze.days,
           fee_minor=pass_.plan.freeze_fee_minor, stripe=freeze.paused_at_stripe)
    enqueue_after_commit("workers.jobs.notifications.send_membership_notice", pass_.id,
                         "membership_frozen", freeze.id, queue="notifications")
    return freeze
