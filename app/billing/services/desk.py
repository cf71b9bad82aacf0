"""Selling at the desk with a booking: a pass sold on the spot to pay for the class it is
bought for, paid there and then (cash or the card terminal) or owed at the desk; a 1:1
session booked for a customer; and cancelling at the desk, a group's place or anyone's own
booking."""

from dataclasses import dataclass

from flask_babel import gettext as _

from app.appointments.entitlements import PayBy
from app.appointments.services import book_appointment
from app.audit.services import record
from app.billing.models import Order, OrderStatus, PaymentMethod
from app.billing.services.groups import cancel_group_place, place_of
from app.billing.services.orders import place_order
from app.billing.services.payments import record_payment
from app.billing.services.sessions import session_order
from app.bookings.models import BookingStatus
from app.bookings.services.book import Booked
from app.bookings.services.desk import book_for, cancel_for
from app.core.db import utcnow


@dataclass(frozen=True)
class SoldAndBooked:
    order: Order
    booked: Booked


def sell_and_book(studio, cls, plan, customer, *, actor, paid_by: PaymentMethod | None,
                  now=None) -> SoldAndBooked:
    """Sell `plan` to `customer` at the desk and book them into `cls` with it, all or nothing:
    a plan that cannot pay for the class sells nothing. `paid_by`: the money taken now (the
    invoice is issued), else the order waits at the desk."""
    now = now or utcnow()
    # Lock order: the customer's row (the order), the order, then the booking's own order
    # (their link, passes, the class: app/bookings/services/locks.py).
    order = place_order(studio, plan, customer, actor=actor, now=now, booking_class=cls)
    owed = order.gross_minor - order.paid_minor
    if paid_by is not None and owed > 0:
        record_payment(studio, order, amount_minor=owed, method=paid_by, actor=actor,
                       reference=_("At the desk"), now=now)
    return SoldAndBooked(order, book_for(studio, cls, customer, actor=actor, now=now))


def cancel_booking_for(studio, booking, *, actor, waive_late: bool = False, now=None):
    """Cancel a booking at the desk: a group's place as groups are cancelled (its share back
    with a credit note when in time), anyone else's as their own cancel (the late consequence
    waived if staff choose). Returns what the customer is told."""
    if place_of(booking) is not None:
        cancel_group_place(studio, booking, actor=actor, now=now)
        return (_("Cancelled: the group's share for this place is credited back.")
                if booking.status == BookingStatus.CANCELLED else
                _("Late cancel: the group's share for this place is kept."))
    return cancel_for(studio, booking, actor=actor, waive_late=waive_late,
                      now=now).released.message()


def book_session_for(studio, coach, customer, session_type, starts_at, *, actor, pay_by: PayBy,
                     paid_by: PaymentMethod | None, now=None):
    """Book a 1:1 session for `customer` at the desk through their own booking (its locks, slot
    checks and payment): a credit of their pass, or the price as an order owed at the desk or,
    with `paid_by`, paid there and then (the invoice is issued). Audited."""
    now = now or utcnow()
    appointment = book_appointment(studio, coach, customer, session_type, starts_at,
                                   actor=actor, now=now, pay_by=pay_by)
    order = session_order(appointment)
    if paid_by is not None and order is not None and \
            order.status == OrderStatus.AWAITING_PAYMENT and order.gross_minor > order.paid_minor:
        record_payment(studio, order, amount_minor=order.gross_minor - order.paid_minor,
                       method=paid_by, actor=actor, reference=_("At the desk"), now=now)
    record("appointment.booked_for", actor=actor, studio_id=studio.id,
           subject=f"appointment:{appointment.id}", customer_id=customer.id, coach_id=coach.id,
           pay_by=str(pay_by), paid_by=str(paid_by) if paid_by else None,
           order_id=order.id if order else None)
    return appointment
