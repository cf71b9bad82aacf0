"""The console's invoices list: number, date, customer, total and status; filters by type, dates
and customer; pages; a CSV with a BOM; another studio's documents are never shown."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from app.billing.services.payments import refund_payment
from app.extensions import db
from app.studios.models import Role
from tests.conftest import login
from tests.factories import StudioFactory, UserFactory, paid_order, staff
from tests.pages import Page, text_of


@pytest.fixture
def studio(app):
    return StudioFactory(invoice_prefix="TOR")


@pytest.fixture
def desk(client, studio):
    user = staff(studio, Role.FRONT_DESK)
    login(client, user)
    return user


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def sold(studio, name, when, **kw):
    order, payment, invoice = paid_order(studio, UserFactory(name=name), **kw)
    invoice.issued_at = when
    db.session.flush()
    return order, payment, invoice


def numbers(response) -> list[str]:
    return [text_of(a) for a in Page(response).all("tbody td:first-child a bdi")
            if "#" not in text_of(a)]


def test_the_list_shows_each_document_and_filters_by_type_date_and_customer(client, studio,
                                                                              desk):
    _o, _p, june = sold(studio, "Layla Haddad", utc(2026, 6, 10, 15, 0))
    order, payment, july = sold(studio, "Omar Saleh", utc(2026, 7, 2, 15, 0))
    note = refund_payment(studio, payment, amount_minor=payment.amount_minor, actor=desk,
                          reason="moved away")
    db.session.commit()
    base = f"/manage/{studio.slug}/invoices?lang=en"

    page = client.get(base)
    assert page.status_code == 200
    shown = numbers(page)
    assert june.number in shown and july.number in shown and len(shown) == 3
    row = Page(page).text("tbody tr:last-child")
    assert "Layla Haddad" in row and "Jun 10, 2026" in row and "Invoice" in row
    assert "3 documents" in Page(page).text("main")

    notes = numbers(client.get(base + "&kind=credit_note"))
    assert len(notes) == 1 and "CN" in notes[0]
    assert july.number in Page(client.get(base + "&kind=credit_note")).text("tbody")  # "For …"

    assert numbers(client.get(base + "&date_from=2026-06-01&date_to=2026-06-30")) == [june.number]
    assert numbers(client.get(base + "&search=omar&kind=invoice")) == [july.number]
    assert numbers(client.get(base + f"&search={june.number}")) == [june.number]
    assert note is not None and order is not None


@pytest.mark.parametrize("query, message", [
    ("date_from=2026-07-01&date_to=2026-06-01", "The end date must not be before the start date."),
    ("date_from=2025-01-01&date_to=2026-06-01", "Choose at most 366 days."),
    ("date_from=1200-01-01", "Enter a date between"),
    ("kind=paid", "Not a valid choice"),
])
def test_bad_filters_answer_422_with_the_reason(client, studio, desk, query, message):
    response = client.get(f"/manage/{studio.slug}/invoices?lang=en&{query}")
    assert response.status_code == 422
    assert message in Page(response).text("form[role=search]")
    csv_response = client.get(f"/manage/{studio.slug}/invoices.csv?lang=en&{query}")
    assert csv_response.status_code == 422


def test_the_list_is_paged(client, studio, desk):
    start = utc(2026, 3, 1, 12)
    made = [sold(studio, f"Customer {i}", start + timedelta(hours=i))[2] for i in range(52)]
    db.session.commit()
    first = client.get(f"/manage/{studio.slug}/invoices?lang=en")
    assert len(numbers(first)) == 50 and numbers(first)[0] == made[-1].number
    second = client.get(f"/manage/{studio.slug}/invoices?lang=en&page=2")
    assert numbers(second) == [made[1].number, made[0].number]
    assert "Page 2 of 2" in Page(second).text("main")


def test_the_csv_has_a_bom_arabic_names_and_escaped_formulas(client, studio, desk):
    _o, _p, one = sold(studio, "ليلى حداد", utc(2026, 6, 10, 15))
    _o, _p, two = sold(studio, "=HYPERLINK(\"x\")", utc(2026, 6, 11, 15))
    db.session.commit()
    response = client.get(f"/manage/{studio.slug}/invoices.csv?date_from=2026-06-01")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["number", "type", "issued_on", "customer"]
    assert rows[1][:4] == [one.number, "invoice", "2026-06-10", "ليلى حداد"]
    assert rows[2][3] == "'=HYPERLINK(\"x\")"
    assert rows[1][5] == f"{one.gross_minor / 100:.2f}"


def test_another_studios_documents_are_not_listed_and_their_pdfs_are_404(client, studio, desk):
    other = StudioFactory()
    _o, _p, theirs = paid_order(other, UserFactory(name="Someone Else"), rendered=True)
    sold(studio, "Ours", utc(2026, 6, 10, 15))
    db.session.commit()
    page = client.get(f"/manage/{studio.slug}/invoices?lang=en")
    assert theirs.number not in Page(page).text("main") and "Someone Else" not in page.text
    assert client.get(f"/manage/{studio.slug}/invoices/{theirs.id}.pdf").status_code == 404
    assert client.get(f"/manage/{other.slug}/invoices").status_code in (403, 404)


def test_a_customer_cannot_open_the_list(client, studio):
    login(client, UserFactory())
    assert client.get(f"/manage/{studio.slug}/invoices").status_code in (403, 404)


