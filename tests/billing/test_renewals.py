"""Pay-at-the-studio memberships renew at their period end; stopped ones and card ones do not."""

from datetime import timedelta

from sqlalchemy import select

from app.billing.models import Order, OrderStatus, PaymentMethodKind
from app.billing.services.orders import place_order
from app.billing.services.renewals import renew_due_memberships
from app.core.db import utcnow
from app.extensions import db
from app.memberships.models import Pass, Period, PlanKind
from app.memberships.services import cancel_membership
from tests.factories import PlanFactory, StudioFactory, UserFactory


def membership(studio, customer, *, bought_days_ago: int):
    plan = PlanFactory(studio=studio, kind=PlanKind.MEMBERSHIP, credits=None, validity_days=None,
                       period=Period.MONTH, price_minor=59900)
    order = place_order(studio, plan, customer, actor=customer,
                                 now=utcnow() - timedelta(days=bought_days_ago))
    return db.session.scalar(select(Pass).where(Pass.order_id == order.id)), order


def orders_of(customer):
    return db.session.scalars(select(Order).where(Order.customer_id == customer.id)
                              .order_by(Order.id)).all()


def test_a_due_membership_runs_on_and_a_new_order_waits_for_the_desk(app, ctx):
    studio, customer = StudioFactory(), UserFactory()
    pass_, _first = membership(studio, customer, bought_days_ago=31)
    old_end = pass_.expires_at
    assert old_end < utcnow()
    renewed = renew_due_memberships()
    assert len(renewed) == 1
    assert pass_.expires_at > utcnow() and pass_.expires_at > old_end
    second = orders_of(customer)[-1]
    assert (second.status, second.gross_minor) == (OrderStatus.AWAITING_PAYMENT, 59900)
    assert renew_due_memberships() == []  # nothing twice


def test_not_yet_due_stopped_and_card_memberships_are_left_alone(app, ctx):
    studio = StudioFactory()
    fresh, _ = membership(studio, UserFactory(), bought_days_ago=3)
    stopped, _ = membership(studio, UserFactory(), bought_days_ago=40)
    cancel_membership(stopped, actor=None)
    card_customer = UserFactory()
    card_pass, card_order = membership(studio, card_customer, bought_days_ago=40)
    card_order.payment_method_kind = PaymentMethodKind.CARD
    db.session.flush()
    assert renew_due_memberships() == []
    assert stopped.expires_at < utcnow()
