"""Customers' money: the plans a studio sells (pay at the studio, or by card, optionally with a
class booked), the wallet, their orders (a card payment's confirmation), invoices and credit notes."""


import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import undefer

from app.billing.models import Invoice, Order, OrderStatus, PaymentMethodKind
from app.billing.queries import list_unpaid_orders
from app.billing.services.checkout import start_checkout
from app.billing.services.documents import invoice_of
from app.billing.services.orders import place_order, price
from app.billing.services.renewals import stop_membership
from app.bookings.services import active_booking, book_class
from app.core.db import utcnow
from app.core.errors import DomainError
from app.core.htmx import render
from app.extensions import db
from app.memberships.models import Pass
from app.memberships.queries import get_own_pass_or_404, get_plan_or_404, list_plans, list_wallet
from app.schedule.models import ScheduledClass
from app.schedule.queries import get_class_or_404
from app.studios.models import Studio
from app.studios.queries import get_studio_or_404

bp = Blueprint("billing", __name__)


def _class_arg(studio):
    value = request.values.get("class_id", "")
    return get_class_or_404(studio, int(value)) if value.isdecimal() and len(value) < 10 else None


@bp.get("/s/<studio>/plans")
def plans(studio: str):
    studio = get_studio_or_404(studio)
    cls = _class_arg(studio)
    offered = list_plans(studio, class_type_id=cls.class_type_id if cls else None)
    return render_template("billing/plans.html", studio=studio, cls=cls, plans=offered,
                           prices={p.id: price(studio, p) for p in offered},
                           idempotency_key=uuid.uuid4().hex)


@bp.post("/s/<studio>/plans/<int:plan_id>/buy")
@login_required
def buy_plan(studio: str, plan_id: int):
    """Pay at the studio: the pass is granted now; with a class, the spot is booked too."""
    studio = get_studio_or_404(studio)
    plan = get_plan_or_404(studio, plan_id)
    cls = _class_arg(studio)
    key = request.form.get("idempotency_key", "")[:64] or None
    try:
        place_order(studio, plan, current_user, actor=current_user, idempotency_key=key)
        if cls is not None:
            book_class(studio, cls, current_user, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".plans", studio=studio.slug, class_id=cls.id if cls else None), 303)
    db.session.commit()
    if cls is not None:
        flash(_("Your pass is ready and the class is booked. Please pay at the studio."), "success")
        return redirect(url_for("bookings.class_detail", studio=studio.slug, class_id=cls.id), 303)
    flash(_("Your pass is ready. Please pay at the studio."), "success")
    return redirect(url_for(".wallet"), 303)


@bp.post("/s/<studio>/plans/<int:plan_id>/checkout")
@login_required
def checkout_plan(studio: str, plan_id: int):
    """Pay by card: an order waits for the payment (no pass yet) and the customer goes to
    Stripe Checkout; with a class, the spot is booked once the payment is confirmed."""
    studio = get_studio_or_404(studio)
    plan = get_plan_or_404(studio, plan_id)
    cls = _class_arg(studio)
    key = request.form.get("idempotency_key", "")[:64] or None
    try:
        order = place_order(studio, plan, current_user, actor=current_user, idempotency_key=key,
                            method=PaymentMethodKind.CARD, booking_class=cls)
        if not order.is_card or order.status != OrderStatus.AWAITING_PAYMENT:  # the same tap, done already
            return redirect(url_for("billing.my_order", order_id=order.id), 303)
        target = start_checkout(
            studio, order, success_url=url_for("billing.my_order", order_id=order.id, _external=True),
            cancel_url=url_for(".plans", studio=studio.slug, class_id=cls.id if cls else None,
                               _external=True))
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".plans", studio=studio.slug, class_id=cls.id if cls else None), 303)
    db.session.commit()
    return redirect(target, 303)


@bp.get("/me/wallet")
@login_required
def wallet():
    confirm = request.args.get("confirm", type=int)
    return render("billing/wallet.html", "wallet_list", entries=list_wallet(current_user),
                  unpaid=list_unpaid_orders(current_user), confirm=confirm, now=utcnow())


@bp.post("/me/passes/<int:pass_id>/cancel")
@login_required
def cancel_pass(pass_id: int):
    pass_ = get_own_pass_or_404(current_user, pass_id)
    try:
        stop_membership(pass_, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".wallet"), 303)
    db.session.commit()
    flash(_("Your membership will not renew. You can keep booking until it ends."), "success")
    return redirect(url_for(".wallet"), 303)


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
