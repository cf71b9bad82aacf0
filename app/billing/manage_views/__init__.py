"""Studio console for money: orders, payments taken at the desk, refunds, invoice PDFs."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.policies import fresh_auth_required
from app.billing.forms import (
    METHODS,
    STATUSES,
    MoneySettingsForm,
    OrderFilterForm,
    PaymentForm,
    RefundForm,
)
from app.billing.models import OrderStatus, PaymentMethod
from app.billing.queries import (
    get_invoice_or_404,
    get_order_or_404,
    get_payment_or_404,
    list_documents,
    list_orders,
    pass_of_order,
    refunds_by_payment,
)
from app.billing.services import fees, freezes, payments, settings
from app.billing.services.documents import invoice_of
from app.core.db import utcnow
from app.core.forms import refused
from app.core.htmx import render, wants_fragment
from app.core.i18n import format_money
from app.core.lifecycle import done, perform
from app.core.money import to_input
from app.core.origin import request_origin
from app.memberships.forms import FreezeForm
from app.studios.console import console_blueprint, requires
from app.studios.policies import can_manage_studio, can_refund, can_work_desk

# The desk takes payments and prints invoices; refunds, waivers, pauses and the money
# settings are the managers'.
bp = console_blueprint("billing_manage", __name__, require=can_work_desk)


@bp.get("/orders")
def orders():
    form = OrderFilterForm(request.args)
    valid = form.validate()
    tz = g.studio.timezone
    found = list_orders(g.studio, form.filters(), tz, request.args.get("page", 1, type=int))
    return render_template("billing/manage/orders.html", studio=g.studio, form=form, found=found,
                           tz=tz, statuses=dict(STATUSES)), 200 if valid else 422


def _order_page(order, *, payment_form=None, refund_form=None, error=None, freeze_form=None,
                status=200):
    """The order with its payments and documents; a form that failed keeps its input and error."""
    owed = order.gross_minor - order.paid_minor
    if payment_form is None and order.status == OrderStatus.AWAITING_PAYMENT:
        payment_form = PaymentForm(formdata=None, currency=order.currency,
                                   data={"amount": to_input(owed, order.currency)})
    refund_forms = {p.id: RefundForm(formdata=None, prefix=f"refund-{p.id}", currency=p.currency)
                    for p in order.payments if p.refundable_minor > 0}
    if refund_form is not None:  # (payment id, the form as it was sent)
        refund_forms[refund_form[0]] = refund_form[1]
    return render_template(
        "billing/manage/order.html", studio=g.studio, order=order, owed=owed, tz=g.studio.timezone,
        payment_form=payment_form, refund_forms=refund_forms, refunds=refunds_by_payment(order),
        documents=list_documents(order), statuses=dict(STATUSES), methods=dict(METHODS),
        error=error, pass_=pass_of_order(order), now=utcnow(),
        freeze_form=freeze_form or FreezeForm(formdata=None)), status


@bp.get("/orders/<int:order_id>")
def order(order_id: int):
    return _order_page(get_order_or_404(g.studio, order_id))


@bp.post("/orders/<int:order_id>/payments")
def record_payment(order_id: int):
    order = get_order_or_404(g.studio, order_id)
    form = PaymentForm(currency=order.currency)
    if not form.validate_on_submit():
        return _order_page(order, payment_form=form, status=422)
    return perform(
        lambda: payments.record_payment(
            g.studio, order, amount_minor=form.amount.minor, actor=current_user,
            method=PaymentMethod(form.method.data), reference=(form.reference.data or "").strip()),
        lambda payment: _payment_recorded(order, payment),
        failed=lambda exc: _order_page(order, payment_form=form, error=("payment", str(exc)),
                                       status=exc.status))


def _payment_recorded(order, payment):
    flash(_("Payment of %(amount)s recorded.", amount=format_money(payment.amount_minor,
                                                                  payment.currency)), "success")
    if order.status == OrderStatus.PAID:
        flash(_("The order is paid in full: invoice %(number)s is issued.",
                number=invoice_of(order).number), "success")
    return redirect(url_for(".order", order_id=order.id), 303)


@bp.post("/orders/<int:order_id>/freeze")
@requires(can_manage_studio)
def freeze_membership(order_id: int):
    """Pause the membership this order granted, for a range of days (audited)."""
    order = get_order_or_404(g.studio, order_id)
    pass_ = pass_of_order(order)
    if pass_ is None or not pass_.plan.is_membership:
        abort(404)  # nothing here can be paused
    form = FreezeForm()
    if not form.validate_on_submit():
        return _order_page(order, freeze_form=form, status=422)
    return perform(
        lambda: freezes.freeze_membership(g.studio, pass_, starts_on=form.starts_on.data,
                                          ends_on=form.ends_on.data, actor=current_user),
        lambda _freeze: done(_("The membership is paused."), url_for(".order", order_id=order.id)),
        failed=lambda exc: _order_page(order, freeze_form=refused(form, exc), status=exc.status))


@bp.post("/orders/<int:order_id>/waive")
@requires(can_refund)
def waive_fee(order_id: int):
    """Drop an unpaid late-cancel or no-show fee (audited)."""
    order = get_order_or_404(g.studio, order_id)
    return perform(
        lambda: fees.waive_fee(g.studio, order, actor=current_user),
        lambda _waived: done(_("The fee is waived."), url_for(".order", order_id=order.id)),
        failed=lambda exc: _order_page(order, error=("waive", str(exc)), status=exc.status))


@bp.post("/payments/<int:payment_id>/refunds")
@requires(can_refund)
@fresh_auth_required(why="refund")
def refund_payment(payment_id: int):
    payment = get_payment_or_404(g.studio, payment_id)
    order = get_order_or_404(g.studio, payment.order_id)
    form = RefundForm(prefix=f"refund-{payment.id}", currency=payment.currency)
    if not form.validate_on_submit():
        return _order_page(order, refund_form=(payment.id, form), status=422)
    return perform(
        lambda: payments.refund_payment(g.studio, payment, amount_minor=form.amount.minor,
                                        actor=current_user,
                                        reason=(form.reason.data or "").strip()),
        lambda refund: done(_("Refund of %(amount)s recorded; a credit note is issued.",
                              amount=format_money(refund.amount_minor, payment.currency)),
                            url_for(".order", order_id=order.id)),
        failed=lambda exc: _order_page(order, refund_form=(payment.id, form),
                                       error=(payment.id, str(exc)), status=exc.status))


PDF_PATIENCE = 60  # polls a second apart before the pending page polls every 10 s


@bp.get("/invoices/<int:invoice_id>.pdf")
def invoice_pdf(invoice_id: int):
    """The stored PDF; while the worker renders it, a page (409) that polls this URL and turns
    into the download (htmx gets only that panel, never the bytes)."""
    polling = wants_fragment()
    invoice = get_invoice_or_404(g.studio, invoice_id, with_pdf=not polling)
    if polling or invoice.pdf is None:
        polls = min(max(request.args.get("polls", 0, type=int), 0), PDF_PATIENCE)
        return render("billing/manage/document_pending.html", "pdf_status",
                      status=200 if polling else 409, studio=g.studio, invoice=invoice,
                      polls=polls, patience=PDF_PATIENCE,
                      poll_url=url_for(".invoice_pdf", invoice_id=invoice.id, polls=polls + 1),
                      download_url=url_for(".invoice_pdf", invoice_id=invoice.id))
    return invoice.pdf, 200, {
        "Content-Type": "application/pdf",
        "Content-Disposition": f"attachment; filename={invoice.number}.pdf",
        "Cache-Control": "private, no-store",
    }


def _money_settings_page(form=None, status: int = 200, *, taxes_error=None):
    """The settings page; a refusal of the custom taxes is shown on that field."""
    form = form or MoneySettingsForm.for_studio(g.studio)
    if taxes_error is not None:
        form.custom_taxes.errors = [str(taxes_error)]
    return render_template("billing/manage/money_settings.html", studio=g.studio, form=form,
                           invoice_year=utcnow().year), status


@bp.get("/settings/money")
@requires(can_manage_studio)
def money_settings():
    return _money_settings_page()


@bp.post("/settings/money")
@requires(can_manage_studio)
@fresh_auth_required(why="payments")
def update_money_settings():
    form = MoneySettingsForm(currency=g.studio.currency)
    if not form.validate_on_submit():
        return _money_settings_page(form, 422)
    return perform(lambda: settings.update_money_settings(g.studio, actor=current_user,
                                                          origin=request_origin(),
                                                          **form.settings()),
                   lambda _saved: done(_("Payment and tax settings saved."),
                                       url_for(".money_settings")),
                   failed=lambda exc: _money_settings_page(form, exc.status, taxes_error=exc))


# The invoices list and bulk printing add their routes to this blueprint.
from app.billing.manage_views import invoices, printing  # noqa: E402, F401
