"""1:1 sessions paid: a credit of a pack the session type accepts, or an order for its price
(taxed at its location) paid at the desk or by card; cancelling gives back or keeps what paid,
as the session type's policy says."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from app.appointments import services
from app.appointments.entitlements import PayBy
from app.appointments.errors import NoWayToPay, PaymentNotOffered
from app.appointments.models import Appointment, Availability
from app.billing.errors import CardsNotAccepted
from app.billing.models import Invoice, Order, OrderStatus, PaymentMethod
from app.billing.queries import list_owed
from app.billing.services.payments import record_payment
from app.billing.services.sessions import session_order
from app.extensions import db
from app.memberships.models import CreditEntry
from app.memberships.services import balances, grant_pass
from tests.appointments.helpers import coach_with_hours, session_type
from tests.factories import LocationFactory, PlanFactory, StudioFactory, UserFactory

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
SEVEN = datetime(2026, 11, 25, 12, tzinfo=UTC)  # Wednesday 07:00 in Toronto


@pytest.fixture
def world(app):
    studio = StudioFactory(booking_opens_days=14, cancel_cutoff_minutes=12 * 60,
                           prices_include_tax=False)
    studio.default_location.tax_jurisdiction = "CA-ON"  # HST 13%
    coach = coach_with_hours(studio, starts=time(7), ends=time(10))
    pack = PlanFactory(studio=studio, credits=5, name={"en": "PT pack", "ar": "باقة تدريب"})
    st = session_type(studio, price=6000)
    st.plan_ids = [pack.id]
    db.session.flush()
    return studio, coach, st, pack, UserFactory(locale="en")


def book(world, customer, at=SEVEN, **kw):
    studio, coach, st, *_ = world
    return services.book_appointment(studio, coach, customer, st, at, actor=customer, now=NOW,
                                     **kw)


def credits(customer, studio) -> int:
    ids = list(db.session.scalars(select(CreditEntry.pass_id).where(
        CreditEntry.studio_id == studio.id).distinct()))
    return sum(balances(ids).values())


def test_a_credit_of_an_accepted_pack_pays_and_an_in_time_cancel_gives_it_back(world):
    studio, coach, st, pack, alice = world
    pass_ = grant_pass(studio, pack, alice, now=NOW)
    appt = book(world, alice)
    assert balances([pass_.id])[pass_.id] == 4 and session_order(appt) is None
    assert list_owed(alice) == []  # paid by the credit: nothing owed
    services.cancel_appointment(studio, appt, actor=alice, now=NOW)
    assert appt.status == "cancelled"
    assert appt.released.message == "Cancelled — your credit is back."
    assert balances([pass_.id])[pass_.id] == 5


def test_without_a_pass_the_price_is_an_order_with_the_locations_tax_owed_at_the_desk(world):
    studio, coach, st, pack, alice = world
    appt = book(world, alice)
    order = session_order(appt)
    assert (order.status, order.payment_method_kind) == (OrderStatus.AWAITING_PAYMENT,
                                                         "at_studio")
    assert (order.net_minor, order.tax_minor, order.gross_minor) == (6000, 780, 6780)
    assert [t["code"] for t in order.taxes] == ["HST"]
    assert order.description["en"] == "1:1 session: Personal training"
    (owed,) = list_owed(alice)
    assert (owed.amount_minor, owed.starts_at, owed.card) == (6780, SEVEN, False)


def test_a_session_at_another_location_is_taxed_there(world):
    studio, coach, st, pack, alice = world
    quebec = LocationFactory(studio=studio, tax_jurisdiction="CA-QC")
    for window in db.session.scalars(select(Availability).where(Availability.coach_id == coach.id)):
        window.location_id = quebec.id
    db.session.flush()
    order = session_order(book(world, alice))
    assert order.location_id == quebec.id
    assert {t["code"] for t in order.taxes} == {"GST", "QST"}


def test_paid_at_the_desk_issues_the_invoice_and_nothing_is_owed(world):
    studio, coach, st, pack, alice = world
    cashier = UserFactory()
    order = session_order(book(world, alice, pay_by=PayBy.DESK))
    record_payment(studio, order, amount_minor=order.gross_minor, method=PaymentMethod.CASH,
                   actor=cashier, now=NOW)
    assert order.status == OrderStatus.PAID
    assert db.session.scalar(select(Invoice).where(Invoice.order_id == order.id)) is not None
    assert list_owed(alice) == []


def test_in_time_cancel_voids_an_unpaid_order_and_refunds_a_paid_one(world):
    studio, coach, st, pack, alice = world
    unpaid = book(world, alice)
    services.cancel_appointment(studio, unpaid, actor=alice, now=NOW)
    assert session_order(unpaid).status == OrderStatus.CANCELLED and list_owed(alice) == []

    paid = book(world, alice, SEVEN + timedelta(days=1))
    order = session_order(paid)
    payment = record_payment(studio, order, amount_minor=order.gross_minor,
                             method=PaymentMethod.CASH, actor=alice, now=NOW)
    services.cancel_appointment(studio, paid, actor=alice, now=NOW)
    assert paid.released.message == "Cancelled — your payment is refunded."
    assert payment.refunded_minor == 6780
    notes = db.session.scalars(select(Invoice).where(Invoice.order_id == order.id,
                                                     Invoice.kind == "credit_note")).all()
    assert len(notes) == 1


def test_a_late_cancel_keeps_the_credit_and_charges_the_types_fee(world):
    studio, coach, st, pack, alice = world
    st.cancel_cutoff_minutes = 48 * 60  # the type's own cutoff, longer than the studio's
    st.late_cancel_fee_minor = 1500
    pass_ = grant_pass(studio, pack, alice, now=NOW)
    appt = book(world, alice)
    late = SEVEN - timedelta(hours=30)  # inside the type's 48 h, outside the studio's 12 h
    consequence = services.cancel_consequence(studio, appt, late)
    assert consequence.late and "1 credit is used." in consequence.message
    services.cancel_appointment(studio, appt, actor=alice, now=late)
    assert appt.status == "late_cancelled"
    assert balances([pass_.id])[pass_.id] == 4  # the credit is kept
    fee = db.session.scalar(select(Order).where(Order.fee_appointment_id == appt.id))
    assert (fee.gross_minor, fee.status) == (1695, OrderStatus.AWAITING_PAYMENT)
    assert appt.released.message == "Late cancel — 1 credit used, fee CA$16.95 owed at the desk."
    assert [o.amount_minor for o in list_owed(alice)] == [1695]


def test_a_late_cancel_of_an_order_keeps_the_price_owed(world):
    studio, coach, st, pack, alice = world
    appt = book(world, alice)
    services.cancel_appointment(studio, appt, actor=alice, now=SEVEN - timedelta(hours=2))
    assert session_order(appt).status == OrderStatus.AWAITING_PAYMENT
    assert db.session.scalar(select(Order).where(Order.fee_appointment_id == appt.id)) is None
    assert appt.released.message == "Late cancel — the session's price is not refunded."


def test_a_session_only_a_pack_pays_for_is_refused_without_one_and_writes_nothing(world):
    studio, coach, st, pack, alice = world
    st.price_minor = 0
    with pytest.raises(NoWayToPay) as refused:
        book(world, alice)
    assert refused.value.status == 402
    assert "none of your passes can pay" in str(refused.value)
    other_pack = PlanFactory(studio=studio, credits=3)  # not one the session accepts
    grant_pass(studio, other_pack, alice, now=NOW)
    with pytest.raises(NoWayToPay):
        book(world, alice, pay_by=PayBy.CREDIT)
    with pytest.raises(PaymentNotOffered):
        book(world, alice, pay_by=PayBy.DESK)
    assert db.session.scalar(select(Appointment.id).where(
        Appointment.studio_id == studio.id)) is None  # race tests leave rows of their own
    assert db.session.scalar(select(Order.id).where(Order.studio_id == studio.id)) is None


def test_a_card_needs_a_studio_that_takes_cards(world):
    with pytest.raises(CardsNotAccepted):
        book(world, world[4], pay_by=PayBy.CARD)


def test_a_free_session_type_books_without_payment(world):
    studio, coach, st, pack, alice = world
    st.price_minor, st.plan_ids = 0, []
    appt = book(world, alice)
    assert session_order(appt) is None and credits(alice, studio) == 0
