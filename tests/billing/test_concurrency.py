"""Money under real concurrency (separate PostgreSQL connections, committed transactions)."""

import threading
import uuid

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.billing.errors import RefundTooLarge
from app.billing.models import DocumentKind, Invoice, Order, Payment, PaymentMethod, Refund
from app.billing.services import orders as orders_service
from app.billing.services import payments
from app.billing.services.orders import lock_order, place_order
from app.billing.services.payments import record_payment, refund_payment
from app.extensions import db
from app.memberships.models import Plan
from app.studios.models import Studio
from tests.concurrency import run_at_once
from tests.factories import PlanFactory, StudioFactory, UserFactory
from tests.sql import Statements

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("concurrency")]


@pytest.fixture
def shop(app):
    with app.app_context():
        studio = StudioFactory(slug=f"shop-{uuid.uuid4().hex[:8]}", prices_include_tax=False)
        studio.default_location.tax_jurisdiction = "CA-ON"
        staff = UserFactory()
        plan = PlanFactory(studio=studio, price_minor=10000)
        orders = [place_order(studio, plan, UserFactory(), actor=staff) for _ in range(20)]
        db.session.commit()
        yield studio.id, staff.id, [o.id for o in orders]
        db.engine.dispose()


def test_twenty_invoices_at_once_are_numbered_without_gap_or_duplicate(app, shop):
    studio_id, staff_id, order_ids = shop

    def pay(order_id):
        studio = db.session.get(Studio, studio_id)
        order = db.session.get(Order, order_id)
        staff = db.session.get(type(order.customer), staff_id)
        return record_payment(studio, order, amount_minor=order.gross_minor,
                                       method=PaymentMethod.CASH, actor=staff).id

    results, errors = run_at_once(app, pay, [(oid,) for oid in order_ids])
    assert errors == [] and len(results) == 20
    with app.app_context():
        sequences = db.session.scalars(
            select(Invoice.sequence).where(Invoice.studio_id == studio_id,
                                           Invoice.kind == DocumentKind.INVOICE)
            .order_by(Invoice.sequence)).all()
    assert sequences == list(range(1, 21))


def refund_race(app, shop):
    studio_id, staff_id, order_ids = shop
    with app.app_context():
        studio = db.session.get(Studio, studio_id)
        order = db.session.get(Order, order_ids[0])
        staff = db.session.get(type(order.customer), staff_id)
        payment = record_payment(studio, order, amount_minor=order.gross_minor,
                                          method=PaymentMethod.CASH, actor=staff)
        db.session.commit()
        payment_id, gross = payment.id, payment.amount_minor

    def refund(_n):
        s = db.session.get(Studio, studio_id)
        p = db.session.get(Payment, payment_id)
        staff = db.session.get(type(p.order.customer), staff_id)
        return refund_payment(s, p, amount_minor=gross * 6 // 10, actor=staff).id

    results, errors = run_at_once(app, refund, [(1,), (2,)])
    with app.app_context():
        refunded = sum(db.session.scalars(
            select(Refund.amount_minor).where(Refund.payment_id == payment_id)))
    return results, errors, refunded, gross


def test_two_refunds_at_once_never_exceed_the_payment(app, shop):
    results, errors, refunded, gross = refund_race(app, shop)
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], RefundTooLarge)
    assert refunded == gross * 6 // 10


def test_negative_control_without_the_lock_both_refunds_pass(app, shop, monkeypatch):
    both_read = threading.Barrier(2)

    def read_without_lock(payment):
        db.session.refresh(payment)
        both_read.wait(timeout=30)  # each has read "nothing refunded yet" before either writes
        return payment

    monkeypatch.setattr(payments, "lock_payment", read_without_lock)
    results, errors, refunded, gross = refund_race(app, shop)
    assert errors == [] and len(results) == 2
    assert refunded > gross, "without the lock more than the payment is refunded"


def _locked_elsewhere(app, order_id: int) -> bool:
    """Whether another connection finds the order row locked (FOR UPDATE NOWAIT refused)."""
    from tests.faults import admin_connection

    with admin_connection(app) as other:
        try:
            other.execute("SELECT 1 FROM orders WHERE id = %s FOR UPDATE NOWAIT", (order_id,))
        except Exception as exc:  # lock_not_available
            return getattr(exc, "sqlstate", None) == "55P03"
        return False


@pytest.mark.parametrize("remembered_past_its_transaction", [False, True],
                         ids=["per-transaction", "negative-control"])
def test_an_order_locked_once_per_transaction_is_locked_again_after_a_rollback(
        app, shop, monkeypatch, remembered_past_its_transaction):
    """lock_order answers a second call in the same transaction without a round trip. A lock
    taken in a savepoint that rolled back is gone, so the next call must take it again: a
    memory that outlived its savepoint would let a concurrent payment in."""
    studio_id, _staff_id, order_ids = shop
    if remembered_past_its_transaction:
        monkeypatch.setattr(orders_service, "_still_held", lambda taken_in: True)
    with app.app_context():
        with db.session.begin_nested() as refused:  # e.g. a Stripe event whose handler failed
            lock_order(order_ids[0], studio_id=studio_id)
            assert _locked_elsewhere(app, order_ids[0])
            refused.rollback()
        assert not _locked_elsewhere(app, order_ids[0])  # the savepoint's lock went with it
        order = lock_order(order_ids[0], studio_id=studio_id)
        assert order is not None
        assert _locked_elsewhere(app, order_ids[0]) is not remembered_past_its_transaction
        with Statements().counting() as sql:  # asked again in the same transaction: no trip
            assert lock_order(order, studio_id=studio_id) is order
        assert sql.count == 0
        db.session.rollback()


def unpaid_race(app, monkeypatch, *, locked: bool):
    """Two pay-at-the-studio orders of one customer at once, two plans of one kind, cap 1."""
    with app.app_context():
        studio = StudioFactory(slug=f"cap-{uuid.uuid4().hex[:8]}", unpaid_orders_per_kind=1)
        plans = [PlanFactory(studio=studio).id for _ in range(2)]
        customer = UserFactory()
        db.session.commit()
        studio_id, customer_id = studio.id, customer.id
    if not locked:
        monkeypatch.setattr(orders_service, "lock_customer_orders", lambda customer: None)
    entered = threading.Barrier(2)
    counted = orders_service.check_unpaid_cap

    def count_together(*args):  # both count before either writes, when nothing serialises them
        try:
            entered.wait(timeout=3)
        except threading.BrokenBarrierError:
            pass
        counted(*args)

    monkeypatch.setattr(orders_service, "check_unpaid_cap", count_together)

    def buy(plan_id):
        studio = db.session.get(Studio, studio_id)
        customer = db.session.get(User, customer_id)
        return place_order(studio, db.session.get(Plan, plan_id), customer, actor=customer).id

    results, errors = run_at_once(app, buy, [(p,) for p in plans])
    with app.app_context():
        placed = db.session.scalars(select(Order).where(Order.customer_id == customer_id)).all()
    return results, errors, placed


def test_two_taps_at_once_leave_one_unpaid_order(app, monkeypatch):
    results, errors, placed = unpaid_race(app, monkeypatch, locked=True)
    assert len(placed) == 1 and len(results) == 1
    assert [type(e).__name__ for e in errors] == ["TooManyUnpaid"]


def test_without_the_customer_lock_both_taps_get_an_unpaid_order(app, monkeypatch):
    """Negative control: the lock is what keeps the cap."""
    _results, errors, placed = unpaid_race(app, monkeypatch, locked=False)
    assert errors == [] and len(placed) == 2
