"""Invoices speak the studio's chosen language (or Arabic and English on one page), never the
customer's profile; tax names are frozen in every language and shown in the reader's; Saudi
invoices and credit notes carry the ZATCA (FATOORA phase 1) QR code.

PDFs are read back as a person would: text with pdftotext, the QR code from a 200 dpi page
image with zbarimg."""

import base64
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import undefer

from app.billing.models import DocumentKind, Invoice, PaymentMethod
from app.billing.services.documents import invoice_of
from app.billing.services.orders import place_order
from app.billing.services.payments import record_payment, refund_payment
from app.extensions import db
from app.studios.models import Role, Studio
from app.studios.services import create_studio
from tests.conftest import login
from tests.factories import PlanFactory, StudioFactory, UserFactory, staff
from tests.pages import Page

BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ARABIC = re.compile("[\u0600-\u06ff]")
VAT_AR = "ضريبة القيمة المضافة"
HST_AR = "ضريبة المبيعات الموحدة (HST)"


@pytest.fixture
def riyadh(app):
    studio = StudioFactory(name={"en": "Nabd Fitness Riyadh", "ar": "استوديو نبض الرياض"},
                           default_language="ar", invoice_language="ar+en",
                           prices_include_tax=True, invoice_prefix="RIY",
                           tax_numbers=[{"label": "VAT", "value": "310123456700003"}],
                           location__timezone="Asia/Riyadh")
    location = studio.default_location
    location.tax_jurisdiction, location.currency = "SA", "SAR"
    location.address = "Olaya St, Riyadh"
    db.session.flush()
    return studio


@pytest.fixture
def toronto(app):
    studio = StudioFactory(prices_include_tax=False, invoice_prefix="TOR",
                           tax_numbers=[{"label": "GST/HST", "value": "123456789RT0001"}])
    studio.default_location.tax_jurisdiction = "CA-ON"
    db.session.flush()
    return studio


def paid_invoice(studio, customer, run_jobs, *, price_minor=11500, currency="CAD"):
    """An order of `customer` paid in full at the desk, its invoice rendered by the job."""
    plan = PlanFactory(studio=studio, price_minor=price_minor, currency=currency,
                       name={"en": "Monthly membership", "ar": "عضوية شهرية"})
    order = place_order(studio, plan, customer, actor=customer)
    payment = record_payment(studio, order, amount_minor=order.gross_minor,
                             method=PaymentMethod.CARD_TERMINAL, actor=UserFactory())
    db.session.commit()
    run_jobs("render_invoice_pdf")
    return order, payment, stored(invoice_of(order).id)


def stored(invoice_id: int) -> Invoice:
    db.session.expire_all()
    return db.session.scalar(select(Invoice).where(Invoice.id == invoice_id)
                             .options(undefer(Invoice.pdf)))


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    source = tmp_path / "doc.pdf"
    source.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(source), "-"],
                         capture_output=True, check=True, timeout=30).stdout.decode()
    return BIDI_CONTROLS.sub("", out)


def qr_codes(pdf: bytes, tmp_path: Path) -> list[str]:
    """The QR codes zbarimg reads on a 200 dpi image of the first page."""
    source = tmp_path / "qr.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", str(source),
                    str(tmp_path / "page")], check=True, timeout=60)
    found = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / "page.png")],
                           capture_output=True, timeout=60)
    assert found.returncode in (0, 4), found.stderr  # 4: no symbol found
    return found.stdout.decode().split()


def tlv(payload: str) -> dict[int, str]:
    """ZATCA's TLV fields: one byte tag, one byte length, the UTF-8 value."""
    data, fields = base64.b64decode(payload, validate=True), {}
    while data:
        tag, length = data[0], data[1]
        fields[tag] = data[2:2 + length].decode()
        data = data[2 + length:]
    return fields


# --- the studio chooses ------------------------------------------------------------------------


@pytest.mark.parametrize("language, jurisdiction, given, expected", [
    ("ar", "SA", None, "ar+en"),  # the Saudi norm: both languages on one page
    ("en", "SA", None, "ar+en"),
    ("en", "CA-ON", None, "en"),
    ("ar", "", None, "ar"),
    ("ar", "SA", "ar", "ar"),  # an explicit choice wins
])
def test_new_studios_invoice_in_their_language_or_both_under_saudi_vat(
        app, ctx, language, jurisdiction, given, expected):
    extra = {"invoice_language": given} if given else {}
    studio = create_studio(slug=f"s-{language}-{jurisdiction or 'none'}-{given}",
                           name={"en": "S"}, default_language=language, **extra,
                           location={"name": {"en": "Main"}, "timezone": "UTC",
                                     "currency": "SAR", "tax_jurisdiction": jurisdiction})
    assert studio.invoice_language == expected


def test_admin_chooses_the_invoice_language(client, toronto):
    login(client, staff(toronto, Role.STUDIO_ADMIN))
    url = f"/manage/{toronto.slug}/settings/money"
    form = Page(client.get(url))
    assert form.one("#invoice_language option[selected]").get("value") == "en"
    base = {"invoice_prefix": "TOR", "tax_jurisdiction": "CA-ON", "late_cancel_fee": "0",
            "no_show_fee": "0"}

    assert client.post(url, data={**base, "invoice_language": "ar+en"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Studio, toronto.id).invoice_language == "ar+en"

    refused = client.post(url, data={**base, "invoice_language": "fr"})
    assert refused.status_code == 422 and "Not a valid choice." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Studio, toronto.id).invoice_language == "ar+en"


# --- the invoice follows the studio, not the customer -------------------------------------------


def test_an_english_studio_invoices_an_arabic_speaking_customer_in_english(
        app, ctx, toronto, run_jobs, tmp_path):
    customer = UserFactory(locale="ar", name="Sam Lee")
    _, _, invoice = paid_invoice(toronto, customer, run_jobs)

    assert invoice.locale == "en" and invoice.snapshot["languages"] == ["en"]
    text = pdftotext(invoice.pdf, tmp_path)
    assert "Tax invoice" in text and "Monthly membership" in text
    assert re.search(r"HST \(13%\)", text)
    assert not ARABIC.search(text), text  # not a word of the customer's profile language
    assert qr_codes(invoice.pdf, tmp_path) == []  # no ZATCA code outside Saudi Arabia


def test_a_saudi_invoice_is_bilingual_on_one_page_with_shaped_arabic(
        app, ctx, riyadh, run_jobs, tmp_path):
    customer = UserFactory(locale="en", name="Sara Al-Otaibi")
    _, _, invoice = paid_invoice(riyadh, customer, run_jobs, currency="SAR")

    assert invoice.locale == "ar" and invoice.snapshot["languages"] == ["ar", "en"]
    text = pdftotext(invoice.pdf, tmp_path)
    for label in ("Tax invoice", "فاتورة ضريبية", "Billed to", "فاتورة إلى", "Total",
                  "الإجمالي", "Monthly membership", "عضوية شهرية", "Nabd Fitness Riyadh",
                  "استوديو نبض الرياض", VAT_AR):
        assert label in text, label
    # pdftotext reads English brackets inside an Arabic page in visual order: "(VAT )15%".
    assert re.search(r"VAT \)?15%", text)
    # Shaped Arabic reads back as the logical text above; unshaped isolated forms would not.
    assert not re.search("[\ufe70-\ufeff]", text)
    assert "Page 1 of 1" not in text and re.search(r"صفحة\s+1\s*من\s*1", text)  # Arabic first


# --- ZATCA QR ----------------------------------------------------------------------------------


def test_the_tlv_payload_matches_zatca_s_published_example():
    from app.billing.services import zatca

    payload = zatca.qr_payload(seller="Bobs Records", vat_number="310122393500003",
                               issued_at=datetime(2022, 4, 25, 15, 30, tzinfo=UTC),
                               total_minor=100000, vat_minor=15000, currency="SAR")
    assert payload == ("AQxCb2JzIFJlY29yZHMCDzMxMDEyMjM5MzUwMDAwMwMUMjAyMi0wNC0yNVQxNTozMDow"
                       "MFoEBzEwMDAuMDAFBjE1MC4wMA==")
    arabic = tlv(zatca.qr_payload(seller="استوديو نبض", vat_number="3", issued_at=datetime(
        2026, 1, 1, tzinfo=UTC), total_minor=1, vat_minor=0, currency="SAR"))
    assert arabic[1] == "استوديو نبض"  # the length counts UTF-8 bytes, not characters


def test_saudi_invoice_and_credit_note_carry_the_zatca_qr_code(
        app, ctx, riyadh, run_jobs, tmp_path):
    customer = UserFactory(locale="en")
    order, payment, invoice = paid_invoice(riyadh, customer, run_jobs, currency="SAR")

    (code,) = qr_codes(invoice.pdf, tmp_path)
    fields = tlv(code)
    assert fields == {
        1: "استوديو نبض الرياض",
        2: "310123456700003",
        3: invoice.issued_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        4: "115.00",  # prices include 15 % VAT: 100.00 + 15.00
        5: "15.00",
    }
    assert datetime.fromisoformat(fields[3]) == invoice.issued_at.replace(microsecond=0)
    assert order.gross_minor == 11500 and order.tax_minor == 1500

    refund_payment(riyadh, db.session.merge(payment), amount_minor=5750, actor=UserFactory())
    db.session.commit()
    run_jobs("render_invoice_pdf")
    note = stored(db.session.scalar(select(Invoice.id).where(
        Invoice.order_id == order.id, Invoice.kind == DocumentKind.CREDIT_NOTE)))
    (code,) = qr_codes(note.pdf, tmp_path)
    assert tlv(code) == {1: "استوديو نبض الرياض", 2: "310123456700003",
                         3: note.issued_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                         4: "57.50", 5: "7.50"}


# --- tax names in the reader's language ---------------------------------------------------------


def test_order_pages_name_taxes_in_the_reader_s_language(client, toronto):
    customer = UserFactory(locale="ar")
    order = place_order(toronto, PlanFactory(studio=toronto), customer, actor=customer)
    assert order.taxes[0]["name"] == {"en": "HST", "ar": HST_AR}
    db.session.commit()

    login(client, staff(toronto, Role.STUDIO_ADMIN))
    console = client.get(f"/manage/{toronto.slug}/orders/{order.id}?lang=en").get_data(as_text=True)
    assert "HST at 13%" in console and HST_AR not in console
    console_ar = client.get(f"/manage/{toronto.slug}/orders/{order.id}?lang=ar")
    assert HST_AR in console_ar.get_data(as_text=True)

    client.post("/logout")
    login(client, customer)
    mine = client.get(f"/me/orders/{order.id}?lang=en").get_data(as_text=True)
    assert "HST at 13%" in mine and HST_AR not in mine
    assert HST_AR in client.get(f"/me/orders/{order.id}?lang=ar").get_data(as_text=True)


def test_tax_names_frozen_as_plain_text_still_show(client, toronto, run_jobs, tmp_path):
    customer = UserFactory(locale="en")
    order = place_order(toronto, PlanFactory(studio=toronto), customer, actor=customer)
    order.taxes = [dict(order.taxes[0], name="Old levy")]  # frozen before names were maps
    db.session.commit()

    login(client, customer)
    for lang in ("en", "ar"):
        page = client.get(f"/me/orders/{order.id}?lang={lang}")
        assert page.status_code == 200 and "Old levy" in page.get_data(as_text=True)
    client.post("/logout")
    login(client, staff(toronto, Role.STUDIO_ADMIN))
    assert "Old levy" in client.get(f"/manage/{toronto.slug}/orders/{order.id}").get_data(
        as_text=True)
