"""Customers: their invoices and credit notes, as PDFs."""

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import undefer

from app.billing.models import Invoice
from app.extensions import db

bp = Blueprint("billing", __name__)


def pdf_response(invoice: Invoice):
    """The stored PDF as a download, or a 409 page while the worker is still rendering it."""
    if invoice.pdf is None:
        return render_template("billing/preparing.html", invoice=invoice), 409
    return invoice.pdf, 200, {
        "Content-Type": "application/pdf",
        "Content-Disposition": f'attachment; filename="{invoice.number}.pdf"',
        "Cache-Control": "private, max-age=3600",
    }


@bp.get("/me/invoices")
@login_required
def my_invoices():
    invoices = db.session.scalars(
        select(Invoice).where(Invoice.customer_id == current_user.id)
        .order_by(Invoice.issued_at.desc(), Invoice.id.desc())).all()
    return render_template("billing/invoices.html", invoices=invoices)


@bp.get("/me/invoices/<int:invoice_id>.pdf")
@login_required
def my_invoice_pdf(invoice_id: int):
    invoice = db.session.scalar(select(Invoice).where(Invoice.id == invoice_id)
                                .options(undefer(Invoice.pdf)))
    if invoice is None or invoice.customer_id != current_user.id:
        abort(404)
    return pdf_response(invoice)
