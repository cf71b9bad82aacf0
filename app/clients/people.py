"""The roster's facts about people, from every domain that holds them: credits left on usable
passes, money owed at the desk, private notes, and a first visit (app/bookings/people.py)."""

from sqlalchemy import func, select

from app.billing.models import Order, OrderStatus, Payment, PaymentMethodKind
from app.bookings.people import PersonFacts, first_visits
from app.clients.models import ClientNote
from app.extensions import db
from app.memberships.models import Pass, PassStatus
from app.memberships.services import balances


def _passes(studio_id: int, customer_ids: list[int], now) -> list[Pass]:
    return db.session.scalars(
        select(Pass).where(Pass.studio_id == studio_id, Pass.customer_id.in_(customer_ids),
                           Pass.status != PassStatus.REVOKED,
                           (Pass.expires_at.is_(None)) | (Pass.expires_at > now))).all()


def _owed(studio_id: int, customer_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """Per customer, what their orders awaiting payment at the desk still ask, per currency."""
    paid = (select(func.coalesce(func.sum(Payment.amount_minor - Payment.refunded_minor), 0))
            .where(Payment.order_id == Order.id).scalar_subquery())
    rows = db.session.execute(
        select(Order.customer_id, Order.currency, func.sum(Order.gross_minor - paid))
        .where(Order.studio_id == studio_id, Order.customer_id.in_(customer_ids),
               Order.status == OrderStatus.AWAITING_PAYMENT,
               Order.payment_method_kind == PaymentMethodKind.AT_STUDIO)
        .group_by(Order.customer_id, Order.currency).order_by(Order.currency))
    owed: dict[int, list[tuple[int, str]]] = {}
    for customer_id, currency, amount in rows:
        if amount and amount > 0:
            owed.setdefault(customer_id, []).append((int(amount), currency))
    return owed


class ClientFacts:
    """Everything the roster shows about a person, in five statements for any roster."""

    def facts(self, cls, customer_ids: list[int], now) -> dict:
        if not customer_ids:
            return {}
        studio_id = cls.studio_id
        first = first_visits(cls, customer_ids)
        passes = _passes(studio_id, customer_ids, now)
        left = balances([p.id for p in passes if not p.is_unlimited])
        owed = _owed(studio_id, customer_ids)
        noted = set(db.session.scalars(
            select(ClientNote.customer_id).distinct()
            .where(ClientNote.studio_id == studio_id, ClientNote.customer_id.in_(customer_ids))))
        found = {cid: PersonFacts(first_visit=cid in first, owed=owed.get(cid, []),
                                  has_notes=cid in noted) for cid in customer_ids}
        for p in passes:
            person = found[p.customer_id]
            if p.is_unlimited:
                person.has_pass, person.credits_left = True, None
            elif not person.has_pass or person.credits_left is not None:
                person.credits_left = (person.credits_left or 0) + left[p.id]
                person.has_pass = True
        return found
