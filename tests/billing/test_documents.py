"""Issued documents stay as issued: a half refund adds a credit note and leaves the invoice PDF
byte-for-byte the same; the receipt email carries the PDF."""

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import undefer

from app.billing.models import DocumentKind, Invoice, PaymentMethod
from app.billing.services.orders import place_order
from app.billing.services.payments import record_payment, refund_payment
from app.core.mail import read_mailbox
from app.extensions import db
from tests.factories import PlanFactory, StudioFactory, UserFactory


def documents(order):
    db.session.expire_all()
    return db.session.scalars(select(Invoice).where(Invoice.order_id == order.id)
                              .options(undefer(Invoice.pdf)).order_by(Invoice.id)).all()


def test_half_refund_adds_a_credit_note_and_the_invoice_pdf_stays_identical(app, ctx, run_jobs):
    studio = StudioFactory(prices_include_tax=False, invoice_prefix="TOR")
    studio.default_location.tax_jurisdiction = "CA-ON"
    customer, manager = UserFactory(locale="ar"), UserFactory()
    order = place_order(studio, PlanFactory(studio=studio, price_minor=20000), customer,
                                 actor=customer)
    payment = record_payment(studio, order, amount_minor=22600,
                                      method=PaymentMethod.CARD_TERMINAL, actor=manager)
    db.session.commit()
    run_jobs()
    (invoice,) = documents(order)
    before = hashlib.sha256(invoice.pdf).hexdigest()
    assert invoice.pdf_sha256 == before

    refund_payment(studio, payment, amount_minor=11300, actor=manager, reason="half")
    db.session.commit()
    run_jobs()
    invoice, note = documents(order)
    assert hashlib.sha256(invoice.pdf).hexdigest() == before
    assert note.kind == DocumentKind.CREDIT_NOTE and note.pdf.startswith(b"%PDF")
    assert note.snapshot["reference"] == invoice.number
    # Rendering the frozen invoice again gives the very same bytes.
    from app.billing.services.documents import document_context
    from app.core.pdf import render_template_pdf

    again = render_template_pdf("pdf/invoice.html", locale=invoice.locale,
                                doc=document_context(invoice))
    assert hashlib.sha256(again).hexdigest() == before

    mails = [m for m in read_mailbox() if m["To"] == customer.email]
    attachments = [part.get_filename() for m in mails for part in m.iter_attachments()]
    assert sorted(attachments) == sorted([f"{invoice.number}.pdf", f"{note.number}.pdf"])


def test_a_second_render_never_replaces_the_stored_pdf(app, ctx, jobs, run_jobs):
    """A retried or concurrent render job (a work-horse killed after rendering) stores nothing:
    the first PDF stays, and only the first store queues the email."""
    from app.billing.services.documents import store_pdf

    studio, customer = StudioFactory(), UserFactory()
    order = place_order(studio, PlanFactory(studio=studio), customer, actor=customer)
    record_payment(studio, order, amount_minor=order.gross_minor,
                            method=PaymentMethod.CASH, actor=UserFactory())
    db.session.commit()
    (invoice,) = documents(order)
    assert store_pdf(invoice, b"%PDF-first") is True
    assert store_pdf(invoice, b"%PDF-second") is False
    db.session.commit()
    (invoice,) = documents(order)
    assert invoice.pdf == b"%PDF-first"
    assert invoice.pdf_sha256 == hashlib.sha256(b"%PDF-first").hexdigest()
    emails = [j for j in jobs if j[0] == "workers.jobs.documents.send_invoice_email"]
    assert emails == [("workers.jobs.documents.send_invoice_email", (invoice.id,), "notifications",
                       None)]
    # The render job itself is then a no-op: nothing rendered, nothing queued.
    assert run_jobs("render_invoice_pdf") == [
        ("workers.jobs.documents.render_invoice_pdf", (invoice.id,), False)]
