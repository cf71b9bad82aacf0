"""Customers buy passes (pay at the studio), buy and book in one flow, see their wallet,
stop a membership, and download their invoices."""

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.billing.models import Invoice, Order, OrderStatus, PaymentMethod
from app.billing.services.orders import place_order
from app.billing.services.payments import record_payment
from app.bookings.models import Booking, BookingStatus
from app.extensions import db
from app.memberships.models import Pass, Period, PlanKind
from app.memberships.services import balances, grant_pass
from tests.conftest import login
from tests.factories import ClassFactory, PlanFactory, StudioFactory, UserFactory
from tests.pages import Page

HX = {"HX-Request": "true"}


@pytest.fixture
def studio(app):
    studio = StudioFactory(booking_requires_pass=True, prices_include_tax=False)
    studio.default_location.tax_jurisdiction = "CA-ON"
    return studio


@pytest.fixture
def customer(app):
    return UserFactory(locale="en")


@pytest.fixture
def signed_in(client, customer):
    login(client, customer)
    return client


def test_plans_page_shows_prices_with_tax(client, studio):
    PlanFactory(studio=studio, price_minor=20000)
    page = Page(client.get(f"/s/{studio.slug}/plans?lang=en"))
    text = page.text(".plan-card")
    assert "CA$226.00" in text and "CA$200.00 plus CA$26.00 tax" in text


def test_buying_grants_the_pass_and_waits_for_payment_at_the_desk(signed_in, studio, customer):
    plan = PlanFactory(studio=studio)
    url = f"/s/{studio.slug}/plans/{plan.id}/buy"
    first = signed_in.post(url, data={"idempotency_key": "tap-1"})
    again = signed_in.post(url, data={"idempotency_key": "tap-1"})  # double tap
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"].endswith("/me/wallet")
    orders = db.session.scalars(select(Order).where(Order.customer_id == customer.id)).all()
    assert len(orders) == 1 and orders[0].status == OrderStatus.AWAITING_PAYMENT
    wallet = Page(signed_in.get("/me/wallet?lang=en"))
    assert "10 credits left" in wallet.text("#wallet-list")


def test_no_pass_the_class_page_offers_plans_then_buy_and_book(signed_in, studio, customer):
    cls = ClassFactory(studio=studio)
    plan = PlanFactory(studio=studio)
    page = Page(signed_in.get(f"/s/{studio.slug}/classes/{cls.id}?lang=en"))
    link = page.one(f"#booking-panel-{cls.id} a.button")
    assert link.get("href") == f"/s/{studio.slug}/plans?class_id={cls.id}"
    # Trying to book anyway (from the schedule) answers 402 with the same way out.
    tried = signed_in.post(f"/s/{studio.slug}/classes/{cls.id}/book", headers=HX)
    assert tried.status_code == 402
    assert Page(tried).one("a.button").get("href").endswith(f"plans?class_id={cls.id}")
    bought = signed_in.post(f"/s/{studio.slug}/plans/{plan.id}/buy",
                            data={"idempotency_key": "k", "class_id": cls.id})
    assert bought.headers["Location"].endswith(f"/classes/{cls.id}")
    booking = db.session.scalar(select(Booking).where(Booking.customer_id == customer.id))
    assert booking.status == BookingStatus.CONFIRMED
    pass_ = db.session.scalar(select(Pass).where(Pass.customer_id == customer.id))
    assert balances([pass_.id])[pass_.id] == 9


def test_cancel_in_time_tells_first_and_returns_the_credit(signed_in, studio, customer):
    grant_pass(studio, PlanFactory(studio=studio), customer)
    cls = ClassFactory(studio=studio, hours_ahead=48)
    signed_in.post(f"/s/{studio.slug}/classes/{cls.id}/book", headers=HX)
    booking = db.session.scalar(select(Booking).where(Booking.customer_id == customer.id))
    confirm = Page(signed_in.get(f"/s/{studio.slug}/classes/{cls.id}?confirm=cancel&lang=en",
                                 headers=HX))
    with force_locale("en"):
        assert _("You keep your credit: it goes back to your pass.") in confirm.text()
    signed_in.post(f"/s/{studio.slug}/classes/{cls.id}/bookings/{booking.id}/cancel", headers=HX)
    pass_ = db.session.scalar(select(Pass).where(Pass.customer_id == customer.id))
    assert balances([pass_.id])[pass_.id] == 10


def test_stop_a_membership_in_three_taps(signed_in, studio, customer):
    plan = PlanFactory(studio=studio, kind=PlanKind.MEMBERSHIP, credits=None, validity_days=None,
                       period=Period.MONTH)
    member = grant_pass(studio, plan, customer)
    wallet = Page(signed_in.get("/me/wallet?lang=en"))                              # tap 1
    ask = wallet.one("#wallet-list a.button").get("hx-get")
    confirm = signed_in.get(ask, headers=HX)                                         # tap 2
    assert confirm.status_code == 200 and "<html" not in confirm.get_data(as_text=True)
    form = Page(confirm).one("form")
    done = signed_in.post(form.get("action"))                                        # tap 3
    assert done.status_code == 303
    db.session.refresh(member)
    assert member.cancel_at_period_end and member.status == "active"


def test_someone_elses_pass_is_a_404(signed_in, studio):
    other = grant_pass(studio, PlanFactory(studio=studio, kind=PlanKind.MEMBERSHIP, credits=None,
                                           validity_days=None, period=Period.MONTH), UserFactory())
    assert signed_in.post(f"/me/passes/{other.id}/cancel").status_code == 404
    assert not other.cancel_at_period_end


def test_invoices_download_own_pdf_only(signed_in, studio, customer, run_jobs):
    staff = UserFactory()
    order = place_order(studio, PlanFactory(studio=studio), customer, actor=customer)
    record_payment(studio, order, amount_minor=order.gross_minor, method=PaymentMethod.CASH,
                   actor=staff)
    db.session.commit()
    invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    assert signed_in.get(f"/me/invoices/{invoice.id}.pdf").status_code == 409  # not rendered yet
    run_jobs("render_invoice_pdf")
    listing = Page(signed_in.get("/me/invoices?lang=en"))
    assert invoice.number in listing.text()
    pdf = signed_in.get(f"/me/invoices/{invoice.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert f'filename="{invoice.number}.pdf"' in pdf.headers["Content-Disposition"]
    stranger = UserFactory()
    other = signed_in.application.test_client()
    login(other, stranger)
    assert other.get(f"/me/invoices/{invoice.id}.pdf").status_code == 404
