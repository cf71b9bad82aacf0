"""Orders, payments and refunds. Services flush; the caller commits once.

Money is integer minor units. Taxes are computed per line when the order is placed and
frozen on it; invoices are issued when an order is fully paid; refunds issue credit notes.
"""

from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.audit.services import record
from app.billing import taxes
from app.billing.documents import issue_credit_note, issue_invoice
from app.billing.errors import InvalidAmount, OrderNotPayable, OverPayment, RefundTooLarge
from app.billing.models import Order, OrderStatus, Payment, PaymentMethod, Refund
from app.core.db import utcnow
from app.core.i18n import format_money
from app.extensions import db
from app.memberships.models import Pass
from app.memberships.services import check_can_buy, grant_pass, revoke_unused


def _tax_lines(breakdown) -> list[dict]:
    return [{"code": t.code, "name": str(t.name), "rate": str(t.rate), "amount_minor": t.amount_minor}
            for t in breakdown.taxes]


def price(studio, plan, *, on=None, quantity: int = 1):
    """The tax breakdown of buying `plan` today at the studio's first location."""
    location = studio.locations[0]
    on = (on or utcnow()).astimezone(ZoneInfo(location.timezone)).date()  # the local tax point
    components = taxes.rules_for(location.tax_jurisdiction, on) if location.tax_jurisdiction else []
    return taxes.compute(plan.price_minor, components, inclusive=studio.prices_include_tax,
                         quantity=quantity)


def place_order(studio, plan, customer, *, actor, idempotency_key: str | None = None,
                now=None) -> Order:
    """Sell `plan` to `customer` with payment at the studio: the pass is theirs at once and
    the order waits for staff to record the payment. The same key twice is one order."""
    now = now or utcnow()
    if idempotency_key:
        existing = db.session.scalar(select(Order).where(Order.idempotency_key == idempotency_key))
        if existing is not None and existing.customer_id == customer.id:
            return existing
    check_can_buy(studio, plan, customer)
    breakdown = price(studio, plan, on=now)
    order = Order(studio_id=studio.id, customer_id=customer.id, plan_id=plan.id,
                  status=OrderStatus.AWAITING_PAYMENT, currency=plan.currency,
                  description=dict(plan.name), unit_minor=plan.price_minor,
                  net_minor=breakdown.net_minor, tax_minor=breakdown.gross_minor - breakdown.net_minor,
                  gross_minor=breakdown.gross_minor, taxes=_tax_lines(breakdown),
                  prices_include_tax=studio.prices_include_tax, idempotency_key=idempotency_key,
                  customer=customer, plan=plan)
    db.session.add(order)
    db.session.flush()
    grant_pass(studio, plan, customer, order=order, actor=actor, now=now)
    if order.gross_minor == 0:
        _mark_paid(studio, order, None, now)
    return order


def _mark_paid(studio, order: Order, payment: Payment | None, now) -> None:
    order.status = OrderStatus.PAID
    order.paid_at = now
    db.session.flush()
    issue_invoice(studio, order, now=now, payment=payment)


def lock_order(order: Order) -> Order:
    return db.session.scalar(select(Order).where(Order.id == order.id).with_for_update()
                             .execution_options(populate_existing=True))


def record_payment(studio, order: Order, *, amount_minor: int, method: PaymentMethod, actor,
                   reference: str = "", now=None) -> Payment:
    """Record money received for an order; the invoice is issued once it is paid in full."""
    now = now or utcnow()
    if amount_minor <= 0:
        raise InvalidAmount()
    order = lock_order(order)
    if order.status != OrderStatus.AWAITING_PAYMENT:
        raise OrderNotPayable()
    if amount_minor > order.gross_minor - order.paid_minor:
        raise OverPayment()
    payment = Payment(studio_id=studio.id, order=order, amount_minor=amount_minor,
                      currency=order.currency, method=method, reference=reference,
                      recorded_by_id=actor.id if actor else None, received_at=now)
    db.session.add(payment)
    db.session.flush()
    record("payment.recorded", actor=actor, studio_id=studio.id, subject=f"order:{order.id}",
           amount_minor=amount_minor, method=str(method))
    if order.paid_minor == order.gross_minor:
        _mark_paid(studio, order, payment, now)
    return payment


def lock_payment(payment: Payment) -> Payment:
    """Re-read the payment under a row lock: refunds of one payment queue up."""
    return db.session.scalar(select(Payment).where(Payment.id == payment.id).with_for_update()
                             .execution_options(populate_existing=True))


def refund_payment(studio, payment: Payment, *, amount_minor: int, actor, reason: str = "",
                   now=None) -> Refund:
    """Refund part or all of a payment and issue a credit note. The payment row is locked, so
    two refunds at once can never return more than was paid."""
    now = now or utcnow()
    if amount_minor <= 0:
        raise InvalidAmount()
    payment = lock_payment(payment)
    if amount_minor > payment.refundable_minor:
        raise RefundTooLarge(amount=format_money(payment.refundable_minor, payment.currency))
    payment.refunded_minor += amount_minor
    refund = Refund(studio_id=studio.id, payment_id=payment.id, amount_minor=amount_minor,
                    reason=reason, created_by_id=actor.id if actor else None)
    db.session.add(refund)
    db.session.flush()
    order = payment.order
    breakdown = _refund_breakdown(order, amount_minor)
    issue_credit_note(studio, order, refund, breakdown, now=now)
    if sum(p.refundable_minor for p in order.payments) == 0:
        for pass_ in db.session.scalars(select(Pass).where(Pass.order_id == order.id)):
            revoke_unused(pass_, actor=actor)
    record("payment.refunded", actor=actor, studio_id=studio.id, subject=f"payment:{payment.id}",
           amount_minor=amount_minor, reason=reason)
    return refund


def _refund_breakdown(order: Order, amount_minor: int) -> dict:
    """Split a refunded gross amount into net and taxes at the order's frozen rates."""
    components = [taxes.TaxComponent.from_line(t) for t in order.taxes]
    breakdown = taxes.compute(amount_minor, components, inclusive=True)
    return {"net_minor": breakdown.net_minor, "taxes": _tax_lines(breakdown),
            "gross_minor": breakdown.gross_minor}
