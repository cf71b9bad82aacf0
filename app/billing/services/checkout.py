"""Card checkout: the customer at Stripe, Checkout sessions, and delivering a paid order.
"""

import logging

from sqlalchemy import select

from app.billing.errors import (
    OrderNotPayable,
)
from app.billing.models import (
    Order,
    OrderStatus,
    StripeCustomer,
)
from app.billing.services.groups import tell_participants
from app.billing.stripe import gateway as stripe_gateway
from app.bookings.services import book_class
from app.core.errors import DomainError
from app.extensions import db
from app.memberships.models import Pass
from app.memberships.services import grant_pass

log = logging.getLogger(__name__)


def stripe_customer_id(studio, user) -> str:
    """The user's customer id in the studio's Stripe account, made once and then reused."""
    known = db.session.scalar(select(StripeCustomer.customer_id).where(
        StripeCustomer.studio_id == studio.id, StripeCustomer.user_id == user.id))
    if known:
        return known
    customer_id = stripe_gateway.create_customer(studio, user)
    remember_customer(studio, user, customer_id)
    return customer_id


def remember_customer(studio, user, customer_id: str) -> None:
    """Keep the first Stripe customer id seen for (studio, user)."""
    if not db.session.scalar(select(StripeCustomer.id).where(
            StripeCustomer.studio_id == studio.id, StripeCustomer.user_id == user.id)):
        db.session.add(StripeCustomer(studio_id=studio.id, user_id=user.id,
                                      customer_id=customer_id))
        db.session.flush()


def start_checkout(studio, order: Order, *, success_url: str, cancel_url: str,
                   expires_at=None) -> str:
    """Open (or, for the same order, reopen) Stripe Checkout for a card order; returns the
    address to send the customer to. `expires_at`: when Stripe lets the session go (and what
    the order holds with it), else Stripe's default."""
    if not order.is_card or order.status != OrderStatus.AWAITING_PAYMENT:
        raise OrderNotPayable()
    session = stripe_gateway.create_checkout_session(
        studio, order, success_url=success_url, cancel_url=cancel_url,
        customer_id=stripe_customer_id(studio, order.customer), expires_at=expires_at)
    order.stripe_checkout_session_id = session.id
    db.session.flush()
    return session.url


def deliver_card_order(studio, order: Order, *, now, period=None) -> Pass | None:
    """Grant what a paid card order bought (once), for `period` (start, end) when Stripe bills
    it, and book the class it was bought for while that is still possible; otherwise the
    customer just has the pass. A 1:1 session's order delivers nothing: it is booked already."""
    if order.plan is None:  # (the plan is loaded with the locked order: no statement)
        return None
    if order.groups:  # its places were held when it was placed: now everyone is told
        for group in order.groups:
            tell_participants(group)
        return None
    pass_ = db.session.scalar(select(Pass).where(Pass.order_id == order.id))
    if pass_ is not None:
        return pass_
    pass_ = grant_pass(studio, order.plan, order.customer, order=order, now=now)
    if period and period[0] and period[1]:
        pass_.starts_at, pass_.expires_at = period
        db.session.flush()
    if order.booking_class_id:
        from app.schedule.models import ScheduledClass

        cls = db.session.get(ScheduledClass, order.booking_class_id)
        try:
            with db.session.begin_nested():
                book_class(studio, cls, order.customer, actor=order.customer, now=now)
        except DomainError as exc:
            log.info("order %s: class %s not booked: %s", order.id, cls.id, exc)
    return pass_
