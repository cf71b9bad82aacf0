import hashlib

from sqlalchemy import select
from sqlalchemy.orm import undefer

from app.billing.documents import document_context
from app.billing.models import DocumentKind, Invoice
from app.core.pdf import render_template_pdf
from app.extensions import db
from app.notifications.services import send_email
from workers.jobs import job


@job
def render_invoice_pdf(invoice_id: int) -> bool:
    """Render an issued invoice or credit note to PDF once, then email it to the customer."""
    invoice = db.session.scalar(select(Invoice).where(Invoice.id == invoice_id)
                                .options(undefer(Invoice.pdf)).with_for_update())
    if invoice is None or invoice.pdf is not None:
        return False
    pdf = render_template_pdf("pdf/invoice.html", locale=invoice.locale,
                              doc=document_context(invoice))
    invoice.pdf = pdf
    invoice.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    db.session.flush()
    template = "credit_note" if invoice.kind == DocumentKind.CREDIT_NOTE else "receipt"
    send_email(invoice.order.customer, template, dedup_key=f"{template}:{invoice.id}",
               invoice=invoice, attachments=[(f"{invoice.number}.pdf", pdf, "application/pdf")])
    return True
