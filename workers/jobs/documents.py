from sqlalchemy import select
from sqlalchemy.orm import undefer

from app.billing.models import DocumentKind, Invoice
from app.billing.services.documents import document_context, store_pdf
from app.core.pdf import render_template_pdf
from app.extensions import db
from app.notifications.services import send_email
from workers.jobs import job


@job
def render_invoice_pdf(invoice_id: int) -> bool:
    """Render an issued invoice or credit note to PDF, in the studio's invoice language(s)
    frozen on it, and store it once (its email follows)."""
    invoice = db.session.get(Invoice, invoice_id)
    if invoice is None or invoice.pdf_sha256 is not None:
        return False
    pdf = render_template_pdf("pdf/invoice.html", locale=invoice.locale,
                              doc=document_context(invoice))
    return store_pdf(invoice, pdf)


@job
def send_invoice_email(invoice_id: int) -> bool:
    """Email an invoice or credit note to the customer with its stored PDF (once: dedup key)."""
    invoice = db.session.scalar(select(Invoice).where(Invoice.id == invoice_id)
                                .options(undefer(Invoice.pdf)))
    if invoice is None or invoice.pdf is None:
        return False
    template = "credit_note" if invoice.kind == DocumentKind.CREDIT_NOTE else "receipt"
    return send_email(invoice.order.customer, template, dedup_key=f"{template}:{invoice.id}",
                      invoice=invoice,
                      attachments=[(f"{invoice.number}.pdf", invoice.pdf, "application/pdf")])
