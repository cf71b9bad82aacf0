"""Late-cancel and no-show fees: an order for the fee, owed at the desk; staff may waive it.

One fee per booking (a unique column), so a retried cancel or a double tap charges once.
"""

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.audit.services import record
from app.billing.models import Order, OrderStatus
from app.billing.services.orders import tax_breakdown, tax_lines
from app.billing.services.selling import selling_location
from app.bookings.services.rules import late_cancel_fee, no_show_fee
from app.core.errors import DomainError
from app.extensions import db


class NotAFee(DomainError):
    status = 409


def _description(kind: str) -> dict:
    out = {}
    for lang in ("en", "ar"):
        with force_locale(lang):
            out[lang] = _("Late cancellation fee") if kind == "late_cancel" else _("No-show fee")
    return out


def charge_fee(studio, booking, *, kind: str, now=None) -> Order | None:
    """Owe the late-cancel or no-show fee of the booking's class (its class type's, else the
    studio's; nothing when it has none)."""
    cls = booking.scheduled_class
    amount = late_cancel_fee(studio, cls) if kind == "late_cancel" else no_show_fee(studio, cls)
    if amount <= 0:
        return None
    existing = db.session.scalar(select(Order).where(Order.fee_booking_id == booking.id))
    if existing is not None:
        return existing
    # The fee is set in the studio's currency (its default location's): it is
    # charged at the class's location (its taxes) when that sells in the same currency.
    location = selling_location(studio, booking_class=booking.scheduled_class)
    if location.currency != studio.currency:
        location = studio.default_location
    breakdown = tax_breakdown(studio, amount, on=now, location=location)
    order = Order(studio_id=studio.id, customer_id=booking.customer_id, plan_id=None,
                  location_id=location.id, fee_booking_id=booking.id,
                  status=OrderStatus.AWAITING_PAYMENT,
                  currency=studio.currency, description=_description(kind), unit_minor=amount,
                  net_minor=breakdown.net_minor, tax_minor=breakdown.tax_minor,
                  gross_minor=breakdown.gross_minor, taxes=tax_lines(breakdown),
                  prices_include_tax=studio.prices_include_tax)
    db.session.add(order)
    db.session.flush()
    return order


def waive_fee(studio, order: Order, *, actor) -> Order:
    """Drop an unpaid fee (audited); a paid one is refunded instead."""
    if order.fee_booking_id is None or order.status != OrderStatus.AWAITING_PAYMENT:
        raise NotAFee(_("Only an unpaid fee can be waived."))
    order.status = OrderStatus.CANCELLED
    db.session.flush()
    record("fee.waived", actor=actor, studio_id=studio.id, subject=f"order:{order.id}",
           amount_minor=order.gross_minor, booking_id=order.fee_booking_id)
    return order


def drop_fee(studio, booking, *, why: str) -> Order | None:
    """Drop the booking's unpaid fee because a policy let it off (audited, no staff member);
    a paid one stays for staff to refund."""
    order = db.session.scalar(select(Order).where(Order.fee_booking_id == booking.id))
    if order is None or order.status != OrderStatus.AWAITING_PAYMENT:
        return None
    order.status = OrderStatus.CANCELLED
    db.session.flush()
    record("fee.waived", actor=None, studio_id=studio.id, subject=f"order:{order.id}",
           amount_minor=order.gross_minor, booking_id=booking.id, why=why)
    return order
