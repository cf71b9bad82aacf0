import threading

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import undefer

from app.billing.models import DocumentKind, Invoice
from app.billing.services import printing
from app.billing.services.documents import document_context, store_pdf
from app.core.db import utcnow
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


@job
def print_invoices(run_id: int) -> bool:
    """Bind every document of a print run (each rendered and stored once) into one merged PDF
    and a ZIP, moving its `done` as it goes; stop when the run is cancelled. Without Redis (the
    quick start) this runs on a thread beside the web process, so the request that started it
    answers at once and the progress bar moves."""
    if current_app.config["JOBS_INLINE"] and not getattr(_beside, "running", False):
        app = current_app._get_current_object()
        threading.Thread(target=_print_beside, args=(app, run_id), daemon=True).start()
        return True
    try:
        return printing.print_documents(run_id, step=lambda **values: _step(run_id, **values))
    except Exception:
        db.session.rollback()
        _step(run_id, status="failed", finished_at=utcnow())
        raise


_beside = threading.local()


def _print_beside(app, run_id: int) -> None:
    _beside.running = True
    with app.app_context():
        print_invoices(run_id)


def _step(run_id: int, **values) -> bool:
    """Commit a step of the run at once (this job commits as it goes, unlike the others, each
    invoice PDF it stored with its step), so the progress shows and a cancel is seen; False
    when cancelled."""
    moved = printing.record_progress(run_id, **values)
    db.session.commit()
    return moved


@job
def expire_print_run(run_id: int) -> bool:
    """Clear a print run's files once they have expired (7 days after it finished)."""
    return printing.expire_print_run(run_id, now=utcnow())
