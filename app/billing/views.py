"""Customers' money: the plans a studio sells (pay at the studio, or by card, optionally with a
class booked), the wallet, their orders (a card payment's confirmation), invoices and credit
notes."""


import uuid

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.appointments.entitlements import PayBy
from app.appointments.forms import parse_slot, parse_type_id
from app.appointments.queries import get_coach_or_404, get_session_type_or_404
from app.appointments.services import book_appointment
from app.billing.models import Invoice, OrderStatus, PaymentMethodKind
from app.billing.queries import (
    get_own_invoice_or_404,
    get_own_order_or_404,
    list_my_invoices,
    list_owed,
    order_context,
)
from app.billing.services import freezes
from app.billing.services.checkout import start_checkout
from app.billing.services.orders import place_order, price
from app.billing.services.renewals import stop_membership
from app.billing.services.selling import selling_location
from app.billing.services.sessions import session_order
from app.bookings.services import book_class
from app.core.db import utcnow
from app.core.forms import refused
from app.core.htmx import render, wants_fragment
from app.core.i18n import format_date
from app.core.lifecycle import done, perform
from app.extensions import db
from app.memberships.forms import FreezeForm
from app.memberships.queries import get_own_pass_or_404, get_plan_or_404, list_plans, list_wallet
from app.schedule.queries import get_class_or_404
from app.studios.models import Studio
from app.studios.queries import get_studio_or_404

bp = Blueprint("billing", __name__)
POLL_PATIENCE = 60  # polls a second apart (about a minute) before the page polls slowly


def _class_arg(studio):
    value = request.values.get("class_id", "")
    return get_class_or_404(studio, int(value)) if value.isdecimal() and len(value) < 10 else None


def _plans_url(studio, cls, **options) -> str:
    return url_for(".plans", studio=studio.slug, class_id=cls.id if cls else None, **options)


@bp.get("/s/<studio>/plans")
def plans(studio: str):
    studio = get_studio_or_404(studio)
    cls = _class_arg(studio)
    offered = list_plans(studio, class_type_id=cls.class_type_id if cls else None,
                         for_class=cls)
    where = selling_location(studio, booking_class=cls)
    return render_template("billing/plans.html", studio=studio, cls=cls, plans=offered,
                           prices={p.id: price(studio, p, location=where) for p in offered},
                           idempotency_key=uuid.uuid4().hex)


@bp.post("/s/<studio>/plans/<int:plan_id>/buy")
@login_required
def buy_plan(studio: str, plan_id: int):
    """Pay at the studio: the pass is granted now; with a class, the spot is booked too."""
    studio = get_studio_or_404(studio)
    plan = get_plan_or_404(studio, plan_id)
    cls = _class_arg(studio)
    key = request.form.get("idempotency_key", "")[:64] or None

    def buy():
        place_order(studio, plan, current_user, actor=current_user, idempotency_key=key,
                    booking_class=cls)
        if cls is not None:
            book_class(studio, cls, current_user, actor=current_user)

    return perform(buy, lambda _none: _bought(studio, cls), back=_plans_url(studio, cls))


def _bought(studio, cls):
    if cls is not None:
        return done(_("Your pass is ready and the class is booked. Please pay at the studio."),
                    url_for("bookings.class_detail", studio=studio.slug, class_id=cls.id))
    return done(_("Your pass is ready. Please pay at the studio."), url_for(".wallet"))


@bp.post("/s/<studio>/plans/<int:plan_id>/checkout")
@login_required
def checkout_plan(studio: str, plan_id: int):
    """Pay by card: an order waits for the payment (no pass yet) and the customer goes to
    Stripe Checkout; with a class, the spot is booked once the payment is confirmed."""
    studio = get_studio_or_404(studio)
    plan = get_plan_or_404(studio, plan_id)
    cls = _class_arg(studio)
    key = request.form.get("idempotency_key", "")[:64] or None

    def checkout() -> str:
        """Where the customer goes next: Stripe, or the order when this tap was answered."""
        order = place_order(studio, plan, current_user, actor=current_user, idempotency_key=key,
                            method=PaymentMethodKind.CARD, booking_class=cls)
        # the same tap, done already
        if not order.is_card or order.status != OrderStatus.AWAITING_PAYMENT:
            return url_for("billing.my_order", order_id=order.id)
        return start_checkout(
            studio, order,
            success_url=url_for("billing.my_order", order_id=order.id, _external=True),
            cancel_url=_plans_url(studio, cls, _external=True))

    return perform(checkout, lambda target: redirect(target, 303), back=_plans_url(studio, cls))


@bp.post("/s/<studio>/coaches/<int:coach_id>/sessions/checkout")
@login_required
def checkout_session(studio: str, coach_id: int):
    """Book a 1:1 session paid by card: the slot is taken with an order waiting for the
    payment, and the customer goes to Stripe Checkout (cancelling in time voids or refunds)."""
    studio = get_studio_or_404(studio)
    coach = get_coach_or_404(studio, coach_id)
    session_type = get_session_type_or_404(studio, parse_type_id(request.form.get("type")) or 0,
                                           active_only=True)
    try:
        starts_at = parse_slot(request.form.get("slot"))
    except ValueError:
        starts_at = None
    if starts_at is None:
        abort(400)
    back = url_for("appointments.book_form", studio=studio.slug, coach_id=coach.id,
                   type=session_type.id, day=request.form.get("day"))

    def checkout() -> str:
        appointment = book_appointment(studio, coach, current_user, session_type, starts_at,
                                       actor=current_user, pay_by=PayBy.CARD)
        order = session_order(appointment)
        if order is None or not order.is_card or order.status != OrderStatus.AWAITING_PAYMENT:
            return url_for("appointments.detail", studio=studio.slug,
                           appointment_id=appointment.id)
        return start_checkout(
            studio, order,
            success_url=url_for("billing.my_order", order_id=order.id, _external=True),
            cancel_url=url_for("appointments.detail", studio=studio.slug,
                               appointment_id=appointment.id, _external=True))

    return perform(checkout, lambda target: redirect(target, 303), back=back)


def _wallet(confirm=None, freeze_form=None, freeze_pass_id=None, status=200):
    """The wallet; a pause form that failed stays open on its pass with its input."""
    return render("billing/wallet.html", "wallet_list", status=status,
                  entries=list_wallet(current_user), owed=list_owed(current_user),
                  confirm=confirm, now=utcnow(), freeze_form=freeze_form,
                  freeze_pass_id=freeze_pass_id, blank_freeze=FreezeForm(formdata=None))


@bp.get("/me/wallet")
@login_required
def wallet():
    return _wallet(confirm=request.args.get("confirm", type=int))


@bp.post("/me/passes/<int:pass_id>/freeze")
@login_required
def freeze_pass(pass_id: int):
    """Pause the customer's membership for a range of days, as its plan allows."""
    pass_ = get_own_pass_or_404(current_user, pass_id)
    form = FreezeForm()
    if not form.validate_on_submit():
        return _wallet(freeze_form=form, freeze_pass_id=pass_.id, status=422)
    studio = db.session.get(Studio, pass_.studio_id)
    return perform(
        lambda: freezes.freeze_membership(studio, pass_, starts_on=form.starts_on.data,
                                          ends_on=form.ends_on.data, actor=current_user),
        lambda freeze: done(_("Your membership is paused from %(first)s to %(last)s.",
                              first=format_date(freeze.starts_on, fmt="medium"),
                              last=format_date(freeze.ends_on, fmt="medium")),
                            url_for(".wallet")),
        failed=lambda error: _wallet(freeze_form=refused(form, error), freeze_pass_id=pass_.id,
                                     status=error.status))


@bp.post("/me/passes/<int:pass_id>/cancel")
@login_required
def cancel_pass(pass_id: int):
    pass_ = get_own_pass_or_404(current_user, pass_id)
    return perform(lambda: stop_membership(pass_, actor=current_user),
                   lambda _stopped: done(_("Your membership will not renew. You can keep booking "
                                           "until it ends."), url_for(".wallet")),
                   back=url_for(".wallet"))


def pdf_response(invoice: Invoice, endpoint: str = "billing.my_invoice_pdf"):
    """The stored PDF as a download; while the worker renders it, a page (409) that polls the
    same URL and turns into the download (htmx gets only that panel, never the bytes)."""
    polling = wants_fragment()
    if polling or invoice.pdf is None:
        polls = min(max(request.args.get("polls", 0, type=int), 0), POLL_PATIENCE)
        return render("billing/preparing.html", "pdf_status", status=200 if polling else 409,
                      invoice=invoice, polls=polls, patience=POLL_PATIENCE,
                      poll_url=url_for(endpoint, invoice_id=invoice.id, polls=polls + 1),
                      download_url=url_for(endpoint, invoice_id=invoice.id))
    return invoice.pdf, 200, {
        "Content-Type": "application/pdf",
        "Content-Disposition": f'attachment; filename="{invoice.number}.pdf"',
        "Cache-Control": "private, max-age=3600",
    }


@bp.get("/me/invoices")
@login_required
def my_invoices():
    return render_template("billing/invoices.html", invoices=list_my_invoices(current_user))


@bp.get("/me/invoices/<int:invoice_id>.pdf")
@login_required
def my_invoice_pdf(invoice_id: int):
    return pdf_response(get_own_invoice_or_404(current_user, invoice_id))


@bp.get("/me/orders/<int:order_id>")
@login_required
def my_order(order_id: int):
    """The customer's own order; while a card payment is unconfirmed its status polls itself:
    every second at first, then (after POLL_PATIENCE polls, with word that the receipt will be
    emailed) every POLL_SLOWLY, so a tab left open does not ask every second for ever."""
    order = get_own_order_or_404(current_user, order_id)
    polls = min(max(request.args.get("polls", 0, type=int), 0), POLL_PATIENCE)
    return render("billing/order.html", "order_status", polls=polls, patience=POLL_PATIENCE,
                  **order_context(order))
