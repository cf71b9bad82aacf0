"""Invoices and credit notes: gap-free numbers per studio, frozen snapshots, rendering data."""

from datetime import datetime

from sqlalchemy import select

from app.billing.models import DocumentKind, DocumentSequence, Invoice, Order, Refund
from app.billing.services import taxes, zatca
from app.billing.services.selling import invoice_numbers, selling_location
from app.core.db import dialect_insert
from app.core.i18n import translated, translations_of
from app.core.jobs import enqueue_after_commit
from app.core.pdf import store_once
from app.extensions import db
from app.studios.models import StudioCustomer


def next_number(studio, kind: DocumentKind) -> int:
    """Take the next number of this studio's series in one statement: the upsert makes the
    series on first use, and otherwise moves it on under the row's lock, held to the end of the
    transaction. Concurrent issues queue up, and a rollback gives the number back, so the series
    has no gap and no duplicate."""
    taken = db.session.scalar(
        dialect_insert(DocumentSequence).values(studio_id=studio.id, kind=kind, next_value=2)
        .on_conflict_do_update(index_elements=["studio_id", "kind"],
                               set_={"next_value": DocumentSequence.next_value + 1})
        .returning(DocumentSequence.next_value))
    return taken - 1


def format_number(studio, kind: DocumentKind, sequence: int, issued_at: datetime) -> str:
    middle = "CN-" if kind == DocumentKind.CREDIT_NOTE else ""
    return f"{studio.invoice_prefix}-{middle}{issued_at.year}-{sequence:06d}"


PAYMENT_LABELS = {"cash": "Cash", "card_terminal": "Card", "stripe": "Card"}


def frozen_taxes(lines: list[dict]) -> list[dict]:
    """Tax lines with their names as content maps. An order frozen while names were plain text
    gets the rate table's name in every language where its code and rate match a table rule."""
    names = {(r.component.code, str(r.component.rate)): r.component.name
             for rules in taxes.RULES.values() for r in rules}
    return [dict(t, name=t["name"] if isinstance(t["name"], dict) else translations_of(
        names.get((t["code"], t["rate"]), t["name"]))) for t in lines]


def _in_languages(value, studio, languages) -> dict:
    """A content map cut down to the document's languages (each falling back as pages do)."""
    return {lang: translated(value, studio.default_language, lang) for lang in languages}


def _zatca_qr(studio, location, totals, issued_at) -> str | None:
    """The FATOORA QR payload of a document sold under Saudi VAT; None elsewhere."""
    if location.tax_jurisdiction != zatca.JURISDICTION:
        return None
    vat = sum(t["amount_minor"] for t in totals["taxes"] if t["code"] == zatca.VAT_CODE)
    return zatca.qr_payload(
        seller=translated(studio.name, studio.default_language, "ar"),
        vat_number=zatca.vat_number(invoice_numbers(studio, location)), issued_at=issued_at,
        total_minor=totals["gross_minor"], vat_minor=vat, currency=location.currency)


def _company(studio, order: Order) -> dict:
    """A company or group contact's company and billing details, billed to on their documents."""
    company, details = db.session.execute(
        select(StudioCustomer.company_name, StudioCustomer.billing_details)
        .where(StudioCustomer.studio_id == studio.id,
               StudioCustomer.user_id == order.customer_id)).one_or_none() or ("", "")
    return {"company": company, "billing_details": details} if company else {}


def _snapshot(studio, order: Order, *, kind, issued_at, lines, totals, reference=None,
              payment=None) -> dict:
    """The document as issued, in the studio's invoice languages (never the customer's)."""
    location = selling_location(studio, order=order)  # whose jurisdiction set the taxes
    languages = studio.invoice_languages
    lines = [dict(line, description=_in_languages(order.description, studio, languages),
                  taxes=frozen_taxes(line["taxes"])) for line in lines]
    totals = dict(totals, taxes=frozen_taxes(totals["taxes"]))
    return {
        "kind": str(kind), "issued_at": issued_at.isoformat(), "timezone": location.timezone,
        "currency": order.currency, "locale": languages[0], "languages": languages,
        "reference": reference.number if reference else None,
        "studio": {"name": _in_languages(studio.name, studio, languages),
                   "address": location.address,
                   "tax_numbers": invoice_numbers(studio, location)},
        "customer": {"name": order.customer.name, "email": order.customer.email,
                     **_company(studio, order)},
        "lines": lines, "totals": totals, "prices_include_tax": order.prices_include_tax,
        "payment": payment, "note": None,
        "zatca_qr": _zatca_qr(studio, location, totals, issued_at),
    }


def _issue(studio, order: Order, kind: DocumentKind, *, now, snapshot_args, refund=None,
           reference=None) -> Invoice:
    sequence = next_number(studio, kind)
    number = format_number(studio, kind, sequence, now)
    snapshot = _snapshot(studio, order, kind=kind, issued_at=now, reference=reference,
                         **snapshot_args)
    snapshot["number"] = number
    doc = Invoice(studio_id=studio.id, kind=kind, sequence=sequence, number=number,
                  order_id=order.id,
                  customer_id=order.customer_id, refund_id=refund.id if refund else None,
                  reference_id=reference.id if reference else None, issued_at=now,
                  locale=snapshot["locale"], snapshot=snapshot,
                  gross_minor=snapshot["totals"]["gross_minor"], currency=order.currency)
    db.session.add(doc)
    db.session.flush()
    enqueue_after_commit("workers.jobs.documents.render_invoice_pdf", doc.id, queue="documents")
    return doc


def issue_invoice(studio, order: Order, *, now, payment=None) -> Invoice:
    """Number and freeze the invoice of a paid order (the PDF is rendered by a job)."""
    line = {"quantity": order.quantity, "unit_minor": order.unit_minor,
            "net_minor": order.net_minor, "taxes": order.taxes}
    totals = {"net_minor": order.net_minor, "taxes": order.taxes, "gross_minor": order.gross_minor}
    pay = None
    if payment:
        pay = {"method": PAYMENT_LABELS[payment.method], "paid_at": payment.received_at.isoformat()}
    return _issue(studio, order, DocumentKind.INVOICE, now=now,
                  snapshot_args={"lines": [line], "totals": totals, "payment": pay})


def issue_credit_note(studio, order: Order, refund: Refund, breakdown: dict, *, now) -> Invoice:
    """A credit note for `refund`, pointing at the order's invoice (corrections never edit)."""
    original = invoice_of(order)
    line = {"quantity": 1, "unit_minor": breakdown["net_minor"],
            "net_minor": breakdown["net_minor"], "taxes": breakdown["taxes"]}
    return _issue(studio, order, DocumentKind.CREDIT_NOTE, now=now, refund=refund,
                  reference=original, snapshot_args={"lines": [line], "totals": breakdown})


def invoice_of(order: Order) -> Invoice | None:
    return db.session.scalar(select(Invoice).where(Invoice.order_id == order.id,
                                                   Invoice.kind == DocumentKind.INVOICE))


def store_pdf(invoice: Invoice, pdf: bytes) -> bool:
    """Store the rendered PDF of `invoice` once and queue its email; False if one was stored
    (app/core/pdf.py: store_once)."""
    stored = store_once(invoice, pdf)
    if stored:
        enqueue_after_commit("workers.jobs.documents.send_invoice_email", invoice.id,
                             queue="notifications")
    return stored


def document_context(invoice: Invoice) -> dict:
    """The snapshot with its timestamps as datetimes, ready for templates/pdf/invoice.html."""
    doc = dict(invoice.snapshot)
    doc.setdefault("languages", [doc["locale"]])
    doc["issued_at"] = datetime.fromisoformat(doc["issued_at"])
    if doc.get("zatca_qr"):
        doc["zatca_qr_image"] = zatca.qr_image(doc["zatca_qr"])
    if doc.get("payment"):
        doc["payment"] = dict(doc["payment"],
                              paid_at=datetime.fromisoformat(doc["payment"]["paid_at"]))
    return doc
