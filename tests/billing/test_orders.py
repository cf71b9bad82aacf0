"""Orders, payments, invoices and refunds: exact money, gap-free numbers, frozen documents."""

import pytest
from sqlalchemy import select

from app.billing.errors import OrderNotPayable, OverPayment, RefundTooLarge
from app.billing.models import DocumentKind, Invoice, Order, OrderStatus, PaymentMethod
from app.billing.services.documents import invoice_of
from app.billing.services.orders import place_order
from app.billing.services.payments import record_payment, refund_payment
from app.extensions import db
from app.memberships.models import Pass, PassStatus
from app.memberships.services import balances
from tests.conftest import login
from tests.factories import PlanFactory, StudioFactory, UserFactory

# Tax names are frozen in every language, so each reader and each invoice finds its own.
HST = {"en": "HST", "ar": "ضريبة المبيعات الموحدة (HST)"}


@pytest.fixture
def toronto(app):
    studio = StudioFactory(prices_include_tax=False, invoice_prefix="TOR",
                           tax_numbers=[{"label": "GST/HST", "value": "123456789RT0001"}])
    studio.default_location.tax_jurisdiction = "CA-ON"
    return studio


@pytest.fixture
def riyadh(app):
    studio = StudioFactory(prices_include_tax=True, invoice_prefix="RIY",
                           location__timezone="Asia/Riyadh")
    loc = studio.default_location
    loc.tax_jurisdiction, loc.currency = "SA", "SAR"
    return studio


def test_order_freezes_exclusive_tax_lines(toronto, ctx):
    customer = UserFactory()
    order = place_order(toronto, PlanFactory(studio=toronto, price_minor=20000), customer,
                                 actor=customer)
    assert (order.net_minor, order.tax_minor, order.gross_minor) == (20000, 2600, 22600)
    assert order.taxes == [{"code": "HST", "name": HST, "rate": "13", "amount_minor": 2600}]
    assert order.status == OrderStatus.AWAITING_PAYMENT
    # Pay at the studio: the pass is theirs already.
    pass_ = db.session.query(Pass).filter_by(order_id=order.id).one()
    assert balances([pass_.id])[pass_.id] == 10


def test_inclusive_prices_split_exactly(riyadh, ctx):
    customer = UserFactory()
    order = place_order(riyadh, PlanFactory(studio=riyadh, price_minor=11500, currency="SAR"),
                                 customer, actor=customer)
    assert (order.net_minor, order.tax_minor, order.gross_minor) == (10000, 1500, 11500)


def test_same_idempotency_key_is_one_order(toronto, ctx):
    customer = UserFactory()
    plan = PlanFactory(studio=toronto)
    first = place_order(toronto, plan, customer, actor=customer, idempotency_key="k-1")
    again = place_order(toronto, plan, customer, actor=customer, idempotency_key="k-1")
    assert first.id == again.id
    assert db.session.query(Pass).filter_by(customer_id=customer.id).count() == 1


def test_a_key_another_customer_sent_first_is_an_order_of_ones_own(toronto, client):
    plan = PlanFactory(studio=toronto)
    first, second = UserFactory(), UserFactory()
    theirs = place_order(toronto, plan, first, actor=first, idempotency_key="same-key-123")
    db.session.commit()
    login(client, second)
    response = client.post(f"/s/{toronto.slug}/plans/{plan.id}/buy",
                           data={"idempotency_key": "same-key-123"})
    assert response.status_code == 303
    mine = db.session.scalars(select(Order).where(Order.customer_id == second.id)).all()
    assert len(mine) == 1 and mine[0].id != theirs.id
    assert db.session.query(Pass).filter_by(customer_id=second.id).count() == 1


def test_a_tablet_key_is_one_users(ctx):
    from app.core.idempotency import first_use

    coach, other = UserFactory(), UserFactory()
    assert first_use("tap-0001-abcd", coach.id) is True
    assert first_use("tap-0001-abcd", other.id) is True   # another person's tap, not a replay
    assert first_use("tap-0001-abcd", coach.id) is False  # the coach's own replay


def test_full_payment_issues_a_numbered_invoice(toronto, ctx, jobs):
    customer, staff = UserFactory(), UserFactory()
    order = place_order(toronto, PlanFactory(studio=toronto), customer, actor=customer)
    record_payment(toronto, order, amount_minor=10000, method=PaymentMethod.CASH, actor=staff)
    assert order.status == OrderStatus.AWAITING_PAYMENT and invoice_of(order) is None
    with pytest.raises(OverPayment):
        record_payment(toronto, order, amount_minor=20000, method=PaymentMethod.CASH,
                                actor=staff)
    record_payment(toronto, order, amount_minor=12600, method=PaymentMethod.CARD_TERMINAL,
                            actor=staff)
    db.session.commit()
    invoice = invoice_of(order)
    assert order.status == OrderStatus.PAID
    assert invoice.number.startswith("TOR-") and invoice.number.endswith("-000001")
    assert invoice.snapshot["totals"]["gross_minor"] == 22600
    assert invoice.snapshot["studio"]["tax_numbers"][0]["value"] == "123456789RT0001"
    assert ("workers.jobs.documents.render_invoice_pdf", (invoice.id,), "documents", None) in jobs
    with pytest.raises(OrderNotPayable):
        record_payment(toronto, order, amount_minor=1, method=PaymentMethod.CASH, actor=staff)


def test_numbers_follow_each_other_per_studio_and_kind(toronto, riyadh, ctx):
    staff = UserFactory()
    numbers = []
    for studio in (toronto, toronto, riyadh):
        plan = PlanFactory(studio=studio)
        order = place_order(studio, plan, UserFactory(), actor=staff)
        record_payment(studio, order, amount_minor=order.gross_minor,
                                method=PaymentMethod.CASH, actor=staff)
        numbers.append(invoice_of(order).sequence)
    assert numbers == [1, 2, 1]


def test_partial_refund_issues_a_credit_note_and_keeps_the_invoice(toronto, ctx):
    customer, staff = UserFactory(), UserFactory()
    order = place_order(toronto, PlanFactory(studio=toronto), customer, actor=customer)
    payment = record_payment(toronto, order, amount_minor=22600,
                                      method=PaymentMethod.CASH, actor=staff)
    invoice = invoice_of(order)
    frozen = dict(invoice.snapshot)
    refund_payment(toronto, payment, amount_minor=11300, actor=staff, reason="moved away")
    note = db.session.query(Invoice).filter_by(order_id=order.id,
                                               kind=DocumentKind.CREDIT_NOTE).one()
    assert note.reference_id == invoice.id and note.number.startswith("TOR-CN-")
    assert note.snapshot["totals"] == {"net_minor": 10000, "gross_minor": 11300, "taxes": [
        {"code": "HST", "name": HST, "rate": "13", "amount_minor": 1300}]}
    assert invoice.snapshot == frozen
    with pytest.raises(RefundTooLarge):
        refund_payment(toronto, payment, amount_minor=11301, actor=staff)
    pass_ = db.session.query(Pass).filter_by(order_id=order.id).one()
    assert pass_.status == PassStatus.ACTIVE  # half refunded: the pass stays


def test_full_refund_revokes_unused_credits_and_is_audited(toronto, ctx):
    from app.audit.models import AuditEvent

    customer, staff = UserFactory(), UserFactory()
    order = place_order(toronto, PlanFactory(studio=toronto), customer, actor=customer)
    payment = record_payment(toronto, order, amount_minor=22600,
                                      method=PaymentMethod.CASH, actor=staff)
    refund_payment(toronto, payment, amount_minor=22600, actor=staff)
    pass_ = db.session.query(Pass).filter_by(order_id=order.id).one()
    assert pass_.status == PassStatus.REVOKED and balances([pass_.id])[pass_.id] == 0
    actions = {e.action for e in db.session.query(AuditEvent).filter_by(studio_id=toronto.id)}
    assert {"payment.recorded", "payment.refunded"} <= actions
