"""Customers: the plans a studio sells (buy, or buy and book), and the wallet."""

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.billing.models import OrderStatus, PaymentMethodKind
from app.billing.queries import list_unpaid_orders
from app.billing.services import place_order, price, start_checkout, stop_membership
from app.bookings.services import book_class
from app.core.db import utcnow
from app.core.errors import DomainError
from app.core.htmx import render
from app.extensions import db
from app.memberships.queries import get_own_pass_or_404, get_plan_or_404, list_plans, list_wallet
from app.schedule.queries import get_class_or_404
from app.studios.queries import get_studio_or_404

bp = Blueprint("memberships", __name__)


def _class_arg(studio):
    value = request.values.get("class_id", "")
    return get_class_or_404(studio, int(value)) if value.isdecimal() and len(value) < 10 else None


@bp.get("/s/<studio>/plans")
def plans(studio: str):
    studio = get_studio_or_404(studio)
    cls = _class_arg(studio)
    offered = list_plans(studio, class_type_id=cls.class_type_id if cls else None)
    return render_template("memberships/plans.html", studio=studio, cls=cls, plans=offered,
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
        return redirect(url_for("schedule.class_detail", studio=studio.slug, class_id=cls.id), 303)
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
    return render("memberships/wallet.html", "wallet_list", entries=list_wallet(current_user),
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
