"""Customers: their orders (a card payment's confirmation), invoices and credit notes."""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import undefer

from app.billing.documents import invoice_of
from app.billing.models import Invoice, Order
from app.bookings.services import active_booking
from app.core.htmx import render
from app.extensions import db
from app.memberships.models import Pass
from app.schedule.models import ScheduledClass
from app.studios.models import Studio

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


POLL_PATIENCE = 60  # polls a second apart (about a minute) before the page polls slowly


def order_context(order: Order) -> dict:
    """What the order page and its status fragment show: the pass, invoice and booking."""
    cls = db.session.get(ScheduledClass, order.booking_class_id) if order.booking_class_id else None
    return {"order": order, "studio": db.session.get(Studio, order.studio_id), "cls": cls,
            "pass_": db.session.scalar(select(Pass).where(Pass.order_id == order.id)),
            "invoice": invoice_of(order),
            "booking": active_booking(cls, order.customer) if cls is not None else None}


@bp.get("/me/orders/<int:order_id>")
@login_required
def my_order(order_id: int):
    """The customer's own order; while a card payment is unconfirmed its status polls itself:
    every second at first, then (after POLL_PATIENCE polls, with word that the receipt will be
    emailed) every POLL_SLOWLY, so a tab left open does not ask every second for ever."""
    order = db.session.get(Order, order_id)
    if order is None or order.customer_id != current_user.id:
        abort(404)
    polls = min(max(request.args.get("polls", 0, type=int), 0), POLL_PATIENCE)
    return render("billing/order.html", "order_status", polls=polls, patience=POLL_PATIENCE,
                  **order_context(order))
