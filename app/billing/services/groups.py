"""Group and company bookings: a contact books places in one class for named participants, all
or nothing under the class lock; one order and one invoice to the contact listing everyone;
each participant their own booking and email. When the class cannot take them all, the desk
may book the places free for the first named and put the rest on the waitlist in the order
named: the order pays for the confirmed places only, and a waitlisted participant promoted
later pays like anyone promoted (their own pass, or at the desk). Cancelling one place
follows the studio's cancel policy, and one cancelled in time is refunded with a credit note
for its part."""

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, text

from app.audit.services import record
from app.billing.errors import CardsNotAccepted, GroupTooLarge, NotAGroupPlace, NotEnoughPlaces
from app.billing.models import (
    GroupBooking,
    GroupPlace,
    Order,
    OrderStatus,
    PaymentMethod,
    PaymentMethodKind,
)
from app.billing.services.orders import check_unpaid_cap, lock_customer_orders, price, tax_lines
from app.billing.services.payments import lock_payment, record_payment, record_refund
from app.billing.services.selling import selling_location
from app.bookings.errors import AccountMerged, AlreadyInClass
from app.bookings.models import ACTIVE_SQL, Booking, BookingStatus, CancelReason
from app.bookings.services import lock_class
from app.bookings.services.cancel import cancel_booking
from app.bookings.services.desk import cancel_for
from app.bookings.services.rules import check_may_book, is_late_cancel
from app.bookings.services.waitlist import fill_spots
from app.core.db import insert_built_once, utcnow
from app.core.i18n import format_day, format_list, format_time, translated
from app.core.jobs import enqueue_after_commit
from app.extensions import db
from app.studios.policies import check_open
from app.studios.services import ensure_customer

MAX_PLACES = 50
_BOOKINGS = Booking.__table__


@insert_built_once
def _insert_places(insert):
    """INSERT the participants' bookings; one already holding an active booking in the class
    is skipped by the partial unique index (and the whole group refused)."""
    return (insert(_BOOKINGS)
            .on_conflict_do_nothing(index_elements=["class_id", "customer_id"],
                                    index_where=text(ACTIVE_SQL))
            .returning(_BOOKINGS.c.id, _BOOKINGS.c.customer_id))


def _description(studio, cls, plan, participants) -> dict:
    """The order's (and the invoice's) line: the class, when, and everyone it is for."""
    names = [p.name for p in participants]
    out = {}
    for lang in ("en", "ar"):
        with force_locale(lang):
            out[lang] = _("%(plan)s × %(count)s: %(class)s, %(when)s — %(names)s",
                          plan=translated(plan.name, studio.default_language, lang),
                          count=len(names),
                          **{"class": translated(cls.class_type.name, studio.default_language,
                                                 lang)},
                          when=f"{format_day(cls.starts_at, cls.timezone)} "
                               f"{format_time(cls.starts_at, cls.timezone, lang)}",
                          names=format_list(names))
    return out


def check_group(participants: list, confirm: int | None) -> tuple[list[int], int]:
    """The participants' ids and the places to confirm, or GroupTooLarge (1 to MAX_PLACES
    participants, each once)."""
    ids = [p.id for p in participants]
    if not 1 <= len(ids) <= MAX_PLACES or len(set(ids)) != len(ids):
        raise GroupTooLarge(max=MAX_PLACES)
    confirm = len(ids) if confirm is None else confirm
    if not 1 <= confirm <= len(ids):
        raise GroupTooLarge(max=MAX_PLACES)
    return ids, confirm


def open_group_order(studio, contact, participants: list, plan, *, quantity: int,
                     description: dict, location, actor, paid_by, method, staff: bool,
                     idempotency_key: str | None, now) -> Order:
    """The one order a group pays with (`plan` × `quantity`), paid at once when `paid_by`;
    or the order made by the same tap before. Lock order (app/bookings/services/locks.py, and
    a card order's delivery): the customers' links and the contact's row, the order and its
    invoice number, then the classes. The order does not name a class (booking_class_id): its
    foreign key would share-lock the class row, which another group waiting for this invoice
    number would then wait for."""
    check_open(studio)
    if method == PaymentMethodKind.CARD and not studio.takes_cards:
        raise CardsNotAccepted()
    for person in sorted({contact, *participants}, key=lambda u: u.id):
        ensure_customer(studio, person)
    lock_customer_orders(contact)
    if idempotency_key:  # the same tap twice is the group made the first time
        known = db.session.scalar(select(Order).where(
            Order.customer_id == contact.id, Order.idempotency_key == idempotency_key))
        if known is not None:
            return known
    breakdown = price(studio, plan, on=now, quantity=quantity, location=location)
    if breakdown.gross_minor == 0:
        method = PaymentMethodKind.AT_STUDIO  # nothing to pay by card
    if not staff and method == PaymentMethodKind.AT_STUDIO and breakdown.gross_minor > 0:
        check_unpaid_cap(studio, plan, contact)
    order = Order(studio_id=studio.id, customer_id=contact.id, plan_id=plan.id,
                  status=OrderStatus.AWAITING_PAYMENT, currency=plan.currency,
                  description=description, quantity=quantity, unit_minor=plan.price_minor,
                  net_minor=breakdown.net_minor,
                  tax_minor=breakdown.gross_minor - breakdown.net_minor,
                  gross_minor=breakdown.gross_minor, taxes=tax_lines(breakdown),
                  prices_include_tax=studio.prices_include_tax, customer=contact, plan=plan,
                  location_id=location.id, payment_method_kind=method,
                  idempotency_key=idempotency_key)
    db.session.add(order)
    db.session.flush()
    if paid_by is not None and order.gross_minor > 0 and not order.is_card:
        record_payment(studio, order, amount_minor=order.gross_minor, method=paid_by,
                       actor=actor, reference=_("Group booking"), now=now)
    return order


def take_places(studio, cls, contact, participants: list, order: Order, *, confirm: int,
                actor, staff: bool, now, refusal=None, course_id: int | None = None
                ) -> tuple[GroupBooking, list[int], int, int]:
    """Under the class lock: places for the first `confirm` participants, the rest on the
    waitlist, or nothing (`refusal(free)`, by default NotEnoughPlaces). Returns the group, the
    waitlisted bookings, the spots taken before and the places that were free."""
    ids = [p.id for p in participants]
    taken = lock_class(cls)
    check_may_book(studio, cls, now, staff=staff)
    free = max(cls.capacity - taken, 0)
    if free < confirm:
        raise (refusal or (lambda n: NotEnoughPlaces(free=n, wanted=len(ids))))(free)
    # One statement, the confirmed first and then the waitlisted in the order named: their
    # ids (the waitlist's order) follow the rows.
    rows = db.session.connection().execute(_insert_places(), [
        {"studio_id": studio.id, "class_id": cls.id, "customer_id": pid,
         "status": BookingStatus.CONFIRMED if n < confirm else BookingStatus.WAITLISTED,
         "booked_by_id": actor.id} for n, pid in enumerate(ids)]).all()
    if len(rows) != len(ids):
        booked = {cid for _id, cid in rows}
        raise AlreadyInClass(name=next(p.name for p in participants if p.id not in booked))
    if not {cid for _id, cid in rows} <= set(ids):
        raise AccountMerged()  # a participant's account was just merged: ask again
    booking_of = {cid: bid for bid, cid in rows}
    group = GroupBooking(studio_id=studio.id, class_id=cls.id, contact_id=contact.id,
                         order_id=order.id, created_by_id=actor.id, places=confirm,
                         course_id=course_id)
    db.session.add(group)
    db.session.flush()
    db.session.add_all([GroupPlace(group_id=group.id, booking_id=booking_of[p.id],
                                   customer_id=p.id) for p in participants[:confirm]])
    db.session.flush()
    return group, [booking_of[pid] for pid in ids[confirm:]], taken, free


def book_group(studio, cls, contact, participants: list, plan, *, actor,
               paid_by: PaymentMethod | None, confirm: int | None = None,
               method: PaymentMethodKind = PaymentMethodKind.AT_STUDIO, staff: bool = True,
               idempotency_key: str | None = None, now=None) -> GroupBooking:
    """Book one place per participant in `cls`, paid by `contact` with one order of `plan`
    × places. All or nothing: NotEnoughPlaces (the number free) when the class cannot take
    them all, AlreadyInClass when one is booked there already. `confirm`: places for the first
    that many participants only (paid), the rest put on the waitlist in the order named.
    `method` CARD: the places are held by an order waiting for Stripe Checkout (released if
    it expires). `staff` False: the contact books for themselves, held to the booking window
    and, paying at the studio, to the studio's cap on unpaid orders."""
    now = now or utcnow()
    ids, confirm = check_group(participants, confirm)
    order = open_group_order(
        studio, contact, participants, plan, quantity=confirm,
        description=_description(studio, cls, plan, participants[:confirm]),
        location=selling_location(studio, booking_class=cls), actor=actor, paid_by=paid_by,
        method=method, staff=staff, idempotency_key=idempotency_key, now=now)
    if idempotency_key and order.groups:  # the same tap again
        return order.groups[0]
    group, waitlisted, taken, free = take_places(studio, cls, contact, participants, order,
                                                 confirm=confirm, actor=actor, staff=staff,
                                                 now=now)
    if not order.is_card:  # a card order's participants are told once it is paid
        tell_participants(group, waitlisted)
    if confirm < len(ids) and free > confirm:
        # Places freed since the desk saw the number: they go to the waitlist as any would.
        fill_spots(studio, cls, now=now, taken=taken + confirm)
    record("group.booked", actor=actor, studio_id=studio.id, subject=f"group:{group.id}",
           class_id=cls.id, contact_id=contact.id, order_id=order.id, places=confirm,
           participants=ids[:confirm], waitlisted=ids[confirm:],
           method=str(order.payment_method_kind))
    return group


def tell_participants(group: GroupBooking, waitlisted=()) -> None:
    """Each participant's e-mail, after commit: their place booked for them, or their place
    on the waitlist."""
    for place in group.members:
        enqueue_after_commit("workers.jobs.notifications.send_booked_for_you", place.booking_id,
                             queue="notifications")
    for booking_id in waitlisted:
        enqueue_after_commit("workers.jobs.notifications.send_booking_confirmed", booking_id,
                             queue="notifications")


def release_group(studio, group: GroupBooking, *, now) -> int:
    """A group's card order given up (Checkout expired or failed): the places it held go back,
    each to the waitlist as any freed spot does; nobody was told of them, so nobody is told
    now. Returns the places released."""
    released = 0
    for place in group.members:
        if place.booking.status in (BookingStatus.CONFIRMED, BookingStatus.OFFERED):
            cancel_booking(studio, place.booking, actor=None, now=now, waive_late=True,
                           reason=CancelReason.STAFF, notify=False)
            released += 1
    record("group.released", actor=None, studio_id=studio.id, subject=f"group:{group.id}",
           order_id=group.order_id, places=released)
    return released


def place_of(booking) -> GroupPlace | None:
    """The group place a booking is, if it is one."""
    return db.session.scalar(select(GroupPlace).where(GroupPlace.booking_id == booking.id))


def place_share(order: Order) -> int:
    """What one place cost, gross: the order split evenly (rounded down, never more)."""
    return order.gross_minor // max(order.quantity, 1)


def cancel_group_place(studio, booking, *, actor, now=None) -> GroupPlace:
    """Cancel one participant's place under the studio's cancel policy; one cancelled in time
    from a paid order is refunded (their share) with a credit note to the contact."""
    now = now or utcnow()
    place = place_of(booking)
    if place is None or booking.studio_id != studio.id:
        raise NotAGroupPlace()
    order = place.group.order
    in_time = (booking.status == BookingStatus.CONFIRMED
               and not is_late_cancel(studio, booking.scheduled_class, now))
    # The refund (the order's payment, its credit note number) before the class lock.
    if in_time and order.status == OrderStatus.PAID and place.refunded_minor == 0:
        payment = next((lock_payment(p) for p in order.payments if p.refundable_minor > 0),
                       None)
        if payment is not None:
            amount = min(place_share(order), payment.refundable_minor)
            record_refund(studio, payment, amount_minor=amount, actor=actor, now=now,
                          reason=_("Group place cancelled: %(name)s",
                                   name=booking.customer.name))
            place.refunded_minor = amount
    cancel_for(studio, booking, actor=actor, now=now)
    return place
