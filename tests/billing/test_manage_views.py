"""The studio's money console: orders with filters, payments taken at the desk, refunds that
issue credit notes, invoice PDFs for staff, payment and tax settings, and managers only."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.billing.models import DocumentKind, Invoice, Order, OrderStatus, Payment, Refund
from app.billing.services.orders import place_order
from app.core.db import utcnow
from app.extensions import db
from app.memberships.models import Pass, PassStatus
from app.studios.models import Role, Studio
from tests.conftest import login
from tests.factories import (
    ClassFactory,
    PlanFactory,
    StudioFactory,
    UserFactory,
    paid_order,
    staff,
)
from tests.pages import Page, text_of


@pytest.fixture
def toronto(app):
    studio = StudioFactory(prices_include_tax=False, invoice_prefix="TOR")
    studio.default_location.tax_jurisdiction = "CA-ON"
    db.session.flush()
    return studio


@pytest.fixture
def admin(client, toronto):
    user = staff(toronto, Role.STUDIO_ADMIN)
    login(client, user)
    return user


def place(studio, customer=None, price_minor=20000, **plan):
    customer = customer or UserFactory()
    return place_order(studio, PlanFactory(studio=studio, price_minor=price_minor, **plan),
                                customer, actor=customer)


def count(model, studio) -> int:
    return db.session.scalar(select(func.count()).select_from(model)
                             .where(model.studio_id == studio.id))


def order_ids(response) -> list[int]:
    return [int(text_of(a).strip("#")) for a in Page(response).all("tbody td:first-child a")]


# --- the orders list --------------------------------------------------------------------------


def test_orders_are_filtered_by_status_customer_and_date(client, toronto, admin):
    nora = UserFactory(name="Nora Alharbi", email="nora@example.com")
    old = place(toronto, nora)
    old.created_at = utcnow() - timedelta(days=40)
    paid, _payment, _invoice = paid_order(toronto, UserFactory(name="Liam Roy"))
    waiting = place(toronto, UserFactory(email="sam@example.org"))
    place(StudioFactory())  # another studio's order never shows
    db.session.flush()
    url = f"/manage/{toronto.slug}/orders"

    assert set(order_ids(client.get(url))) == {old.id, paid.id, waiting.id}
    assert order_ids(client.get(url, query_string={"status": "paid"})) == [paid.id]
    assert order_ids(client.get(url, query_string={"search": "NORA"})) == [old.id]
    assert order_ids(client.get(url, query_string={"search": "example.org"})) == [waiting.id]
    recent = (utcnow() - timedelta(days=7)).date().isoformat()
    assert set(order_ids(client.get(url, query_string={"date_from": recent}))) == {
        paid.id, waiting.id}
    before = (utcnow() - timedelta(days=30)).date().isoformat()
    assert order_ids(client.get(url, query_string={"date_to": before})) == [old.id]
    assert order_ids(client.get(url, query_string={"search": "%"})) == []  # no wildcards


def test_bad_filters_are_422_with_the_message(client, toronto, admin):
    response = client.get(f"/manage/{toronto.slug}/orders",
                          query_string={"date_from": "2025-05-02", "date_to": "2025-05-01",
                                        "status": "stolen", "lang": "en"})
    assert response.status_code == 422
    page = Page(response)
    assert "The end date must not be before the start date." in page.text("#date_to-error")
    assert "Not a valid choice." in page.text("#status-error")


def test_orders_come_fifty_a_page(client, toronto, admin):
    customer = UserFactory()
    plan = PlanFactory(studio=toronto)
    toronto.unpaid_orders_per_kind = 0  # one customer owes all 51
    made = [place_order(toronto, plan, customer, actor=customer) for _ in range(51)]
    url = f"/manage/{toronto.slug}/orders?lang=en"

    first = client.get(url)
    assert len(order_ids(first)) == 50 and made[0].id not in order_ids(first)
    assert "Page 1 of 2" in Page(first).text(".pager")
    second = client.get(Page(first).one("a[rel=next]").get("href"))
    assert order_ids(second) == [made[0].id]
    # The pager keeps the filters and nothing else of the query string.
    odd = client.get(f"/manage/{toronto.slug}/orders?status=awaiting_payment&endpoint=x"
                     "&_external=1&_anchor=y&studio=other&page=1")
    assert odd.status_code == 200
    assert Page(odd).one("a[rel=next]").get("href") == (
        f"/manage/{toronto.slug}/orders?status=awaiting_payment&page=2")


# --- the order page: payments ------------------------------------------------------------------


def test_recording_the_payment_issues_the_invoice_shown_on_the_order(client, toronto, admin):
    order = place(toronto)
    page = Page(client.get(f"/manage/{toronto.slug}/orders/{order.id}?lang=en"))
    assert page.one("#amount").get("value") == "226.00"  # what is still owed, tax included
    assert "HST" in page.text("table tfoot")

    response = client.post(f"/manage/{toronto.slug}/orders/{order.id}/payments",
                           data={"amount": "226.00", "method": "card_terminal",
                                 "reference": "terminal 4"})

    assert response.status_code == 303
    db.session.expire_all()
    invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    assert invoice.number.startswith("TOR-")
    page = Page(client.get(response.headers["Location"] + "?lang=en"))
    assert invoice.number in page.text(".flashes") and invoice.number in page.text("main")
    assert ("Card terminal" in page.text(".payment-list")
            and "terminal 4" in page.text(".payment-list"))
    assert not page.all("#amount")  # paid: no more payment form
    assert db.session.get(Order, order.id).status == OrderStatus.PAID


def test_part_payment_then_the_rest(client, toronto, admin):
    order = place(toronto)
    url = f"/manage/{toronto.slug}/orders/{order.id}/payments"
    assert client.post(url, data={"amount": "100", "method": "cash"}).status_code == 303
    page = Page(client.get(f"/manage/{toronto.slug}/orders/{order.id}"))
    assert page.one("#amount").get("value") == "126.00"
    assert count(Invoice, toronto) == 0
    assert client.post(url, data={"amount": "126.00", "method": "cash"}).status_code == 303
    assert count(Invoice, toronto) == 1


@pytest.mark.parametrize("amount, status, message", [
    ("300.00", 422, "That is more than is still owed on this order."),
    ("0", 422, "Enter an amount greater than zero."),
    ("1.001", 422, "CAD amounts have at most 2 decimal places."),
])
def test_a_wrong_payment_is_refused_next_to_the_form_and_writes_nothing(client, toronto, admin,
                                                                         amount, status, message):
    order = place(toronto)
    response = client.post(f"/manage/{toronto.slug}/orders/{order.id}/payments?lang=en",
                           data={"amount": amount, "method": "cash"})
    assert response.status_code == status
    assert message in Page(response).text("section.panel form")
    assert count(Payment, toronto) == 0 and count(Invoice, toronto) == 0


def test_a_paid_order_takes_no_more_payment(client, toronto, admin):
    order, _payment, _invoice = paid_order(toronto, UserFactory())
    response = client.post(f"/manage/{toronto.slug}/orders/{order.id}/payments?lang=en",
                           data={"amount": "1.00", "method": "cash"})
    assert response.status_code == 409
    assert "This order cannot take a payment." in Page(response).text("main")
    assert count(Payment, toronto) == 1


# --- refunds ----------------------------------------------------------------------------------


def refund_url(studio, payment) -> str:
    return f"/manage/{studio.slug}/payments/{payment.id}/refunds?lang=en"


def test_refunding_more_than_was_paid_is_409_and_writes_nothing(client, toronto, admin):
    order, payment, _invoice = paid_order(toronto, UserFactory())
    response = client.post(refund_url(toronto, payment),
                           data={f"refund-{payment.id}-amount": "226.01"})
    assert response.status_code == 409
    form = Page(response).text(f"#payment-{payment.id} form")
    assert "At most CA$226.00 can still be refunded on this payment." in form
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).refunded_minor == 0
    assert count(Refund, toronto) == 0
    assert count(Invoice, toronto) == 1  # no credit note


def test_refund_in_two_steps_issues_two_credit_notes_then_nothing_more(client, toronto, admin):
    order, payment, invoice = paid_order(toronto, UserFactory())
    field = f"refund-{payment.id}-amount"

    first = client.post(refund_url(toronto, payment),
                        data={field: "113.00", f"refund-{payment.id}-reason": "moved away"})
    assert first.status_code == 303
    page = Page(client.get(first.headers["Location"] + "?lang=en"))
    assert "Refund of CA$113.00 recorded; a credit note is issued." in page.text(".flashes")
    assert "CA$113.00 refunded" in page.text(f"#payment-{payment.id}")
    assert "moved away" in page.text(f"#payment-{payment.id}")
    pass_ = db.session.scalar(select(Pass).where(Pass.order_id == order.id))
    assert pass_.status == PassStatus.ACTIVE

    second = client.post(refund_url(toronto, payment), data={field: "113.00"})
    assert second.status_code == 303
    db.session.expire_all()
    notes = db.session.scalars(select(Invoice).where(
        Invoice.order_id == order.id, Invoice.kind == DocumentKind.CREDIT_NOTE)
        .order_by(Invoice.id)).all()
    assert [n.gross_minor for n in notes] == [11300, 11300]
    assert all(n.reference_id == invoice.id for n in notes)
    page = Page(client.get(f"/manage/{toronto.slug}/orders/{order.id}?lang=en"))
    assert all(n.number in page.text("main") for n in notes)
    assert not page.all(f"#refund-{payment.id}-amount")  # nothing left to refund
    assert db.session.get(Pass, pass_.id).status == PassStatus.REVOKED

    third = client.post(refund_url(toronto, payment), data={field: "0.01"})
    assert third.status_code == 409
    assert count(Refund, toronto) == 2


def test_a_negative_refund_is_422(client, toronto, admin):
    _order, payment, _invoice = paid_order(toronto, UserFactory())
    response = client.post(refund_url(toronto, payment), data={f"refund-{payment.id}-amount": "-5"})
    assert response.status_code == 422
    assert "The amount cannot be negative." in Page(response).text(
        f"#refund-{payment.id}-amount-error")
    assert count(Refund, toronto) == 0


def test_another_studios_order_and_payment_are_404(client, toronto, admin):
    order, payment, _invoice = paid_order(StudioFactory(), UserFactory())
    assert client.get(f"/manage/{toronto.slug}/orders/{order.id}").status_code == 404
    assert client.post(f"/manage/{toronto.slug}/orders/{order.id}/payments",
                       data={"amount": "1", "method": "cash"}).status_code == 404
    assert client.post(f"/manage/{toronto.slug}/payments/{payment.id}/refunds",
                       data={f"refund-{payment.id}-amount": "1"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).refunded_minor == 0


# --- invoice PDFs -----------------------------------------------------------------------------


def test_staff_download_the_rendered_invoice_pdf(client, toronto, admin, run_jobs):
    order, _payment, invoice = paid_order(toronto, UserFactory())
    url = f"/manage/{toronto.slug}/invoices/{invoice.id}.pdf"
    db.session.commit()  # the invoice job goes out on commit

    pending = client.get(url + "?lang=en")
    assert pending.status_code == 409
    assert f"The PDF of {invoice.number} is being prepared" in Page(pending).text("h1")

    assert run_jobs("render_invoice_pdf")
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"] == f"attachment; filename={invoice.number}.pdf"
    link = Page(client.get(f"/manage/{toronto.slug}/orders/{order.id}")).one(
        f'a[href="/manage/{toronto.slug}/invoices/{invoice.id}.pdf"]')
    assert link.get("hx-boost") == "false"


def test_another_studios_invoice_pdf_is_404(client, toronto, admin):
    _order, _payment, invoice = paid_order(StudioFactory(), UserFactory(), rendered=True)
    assert client.get(f"/manage/{toronto.slug}/invoices/{invoice.id}.pdf").status_code == 404


# --- payment and tax settings -----------------------------------------------------------------


MONEY = {"booking_requires_pass": "y", "invoice_prefix": "QW3", "tax_jurisdiction": "CA-QC",
         "tax_numbers-0-label": "GST", "tax_numbers-0-value": "123456789RT0001",
         "tax_numbers-1-label": "QST", "tax_numbers-1-value": "1234567890TQ0001",
         "tax_numbers-2-label": "", "tax_numbers-2-value": "",
         "late_cancel_fee": "15.00", "no_show_fee": "0"}


def test_admin_saves_payment_and_tax_settings(client, toronto, admin):
    form = Page(client.get(f"/manage/{toronto.slug}/settings/money"))
    assert form.one("#tax_jurisdiction option[selected]").get("value") == "CA-ON"

    response = client.post(f"/manage/{toronto.slug}/settings/money", data=MONEY)

    assert response.status_code == 303
    db.session.expire_all()
    s = db.session.get(Studio, toronto.id)
    assert (s.booking_requires_pass, s.prices_include_tax, s.invoice_prefix) == (True, False, "QW3")
    assert s.tax_numbers == [{"label": "GST", "value": "123456789RT0001"},
                             {"label": "QST", "value": "1234567890TQ0001"}]
    assert s.default_location.tax_jurisdiction == "CA-QC"
    assert (s.late_cancel_fee_minor, s.no_show_fee_minor) == (1500, 0)
    order = place(s)
    assert [t["code"] for t in order.taxes] == ["GST", "QST"]


@pytest.mark.parametrize("field, value, message", [
    ("invoice_prefix", "INV-2025", "Use 1 to 12 Latin letters or digits, without spaces."),
    ("invoice_prefix", "ABCDEFGHIJKLM", "Use 1 to 12 Latin letters or digits, without spaces."),
    ("invoice_prefix", "", "This field is required."),
    ("tax_jurisdiction", "US-NY", "Not a valid choice."),
    ("tax_numbers-2-label", "VAT", "Give both the label and the number, or neither."),
])
def test_bad_money_settings_are_422_and_change_nothing(client, toronto, admin, field, value,
                                                       message):
    response = client.post(f"/manage/{toronto.slug}/settings/money?lang=en",
                           data={**MONEY, field: value})
    assert response.status_code == 422
    assert message in Page(response).text("main")
    db.session.expire_all()
    s = db.session.get(Studio, toronto.id)
    assert (s.invoice_prefix, s.booking_requires_pass, s.default_location.tax_jurisdiction) == (
        "TOR", False, "CA-ON")


# --- managers only ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.TRAINER, Role.TRAINER_ADMIN, None])
def test_trainers_and_customers_get_404_on_every_money_page(client, toronto, role):
    user = staff(toronto, role) if role else UserFactory()
    order, payment, invoice = paid_order(toronto, UserFactory(), rendered=True)
    cls = ClassFactory(studio=toronto)
    login(client, user)
    base = f"/manage/{toronto.slug}"
    for path in ("/plans", "/plans/new", f"/plans/{order.plan_id}", "/orders",
                 f"/orders/{order.id}", f"/invoices/{invoice.id}.pdf"):
        assert client.get(base + path).status_code == 404, path
    for path, data in (("/plans", {"kind": "drop_in", "name_en": "x", "price": "1",
                                    "credits": "1", "validity_start": "purchase"}),
                       (f"/plans/{order.plan_id}", {"price": "1"}),
                       (f"/orders/{order.id}/payments", {"amount": "1", "method": "cash"}),
                       (f"/payments/{payment.id}/refunds", {f"refund-{payment.id}-amount": "1"}),
                       ("/settings/money", MONEY),
                       (f"/classes/{cls.id}/bookings/1/waive", {})):
        assert client.post(base + path, data=data).status_code == 404, path
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).refunded_minor == 0
    assert db.session.get(Studio, toronto.id).invoice_prefix == "TOR"
