"""Group and company bookings: places for named participants in one class, all or nothing,
one order and one invoice to the company listing everyone; one place cancelled in time is
refunded with a credit note for its part, one cancelled late keeps it (and costs no fee)."""

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.billing.errors import NotEnoughPlaces
from app.billing.models import DocumentKind, GroupPlace, Invoice, Order, OrderStatus, PaymentMethod
from app.billing.services.documents import invoice_of
from app.billing.services.groups import book_group, cancel_group_place, place_of
from app.bookings.errors import AlreadyInClass
from app.bookings.models import Booking, BookingStatus
from app.bookings.services import active_booking, book_class, cancel_booking, waitlist_position
from app.extensions import db
from app.studios.models import Role, StudioCustomer
from app.studios.services import ensure_customer
from tests.factories import ClassFactory, PlanFactory, StudioFactory, UserFactory, staff


@pytest.fixture
def g(app):
    studio = StudioFactory(late_cancel_fee_minor=500)
    admin = staff(studio, Role.STUDIO_ADMIN)
    contact = UserFactory(name="Lina (Acme HR)")
    ensure_customer(studio, contact)
    link = db.session.scalar(select(StudioCustomer).where(StudioCustomer.user_id == contact.id))
    link.company_name, link.billing_details = "Acme Trading LLC", "VAT 300000000000003"
    people = [UserFactory(name=n) for n in ("Ali", "Badr", "Chadi", "Dana")]
    plan = PlanFactory(studio=studio, name={"en": "Drop-in", "ar": "حصة"}, credits=1,
                       price_minor=2500, currency=studio.currency)
    return dict(studio=studio, admin=admin, contact=contact, people=people, plan=plan,
                cls=ClassFactory(studio=studio, capacity=6, hours_ahead=48))


def active(cls):
    return db.session.scalar(select(func.count()).select_from(Booking).where(
        Booking.class_id == cls.id, Booking.status == BookingStatus.CONFIRMED))


def test_a_group_of_four_is_one_order_one_invoice_to_the_company_and_four_bookings(g, jobs):
    group = book_group(g["studio"], g["cls"], g["contact"], g["people"], g["plan"],
                       actor=g["admin"], paid_by=PaymentMethod.CASH)
    order = group.order
    assert order.customer_id == g["contact"].id and order.quantity == 4
    assert order.status == OrderStatus.PAID and order.gross_minor >= 4 * 2500
    invoice = invoice_of(order)
    snapshot = invoice.snapshot
    assert snapshot["customer"]["company"] == "Acme Trading LLC"
    assert snapshot["customer"]["billing_details"] == "VAT 300000000000003"
    line = snapshot["lines"][0]
    assert line["quantity"] == 4
    assert all(p.name in line["description"]["en"] for p in g["people"])
    bookings = db.session.scalars(select(Booking).where(Booking.class_id == g["cls"].id)).all()
    assert sorted(b.customer_id for b in bookings) == sorted(p.id for p in g["people"])
    assert all(b.status == BookingStatus.CONFIRMED and b.booked_by_id == g["admin"].id
               for b in bookings)
    db.session.commit()  # the emails go out once the booking is committed
    emails = [args[0] for func, args, *_ in jobs if func.endswith("send_booked_for_you")]
    assert sorted(emails) == sorted(b.id for b in bookings)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "group.booked",
                                                       AuditEvent.studio_id == g["studio"].id))
    assert event.actor_id == g["admin"].id and event.data["places"] == 4


def test_too_few_places_books_nobody_and_says_how_many_are_free(g):
    others = UserFactory.create_batch(3)
    for person in others:
        book_class(g["studio"], g["cls"], person, actor=person)
    with pytest.raises(NotEnoughPlaces) as refused, db.session.begin_nested():
        book_group(g["studio"], g["cls"], g["contact"], g["people"], g["plan"],
                   actor=g["admin"], paid_by=PaymentMethod.CASH)
    assert "Only 3 of the 4 places are free" in str(refused.value)
    assert active(g["cls"]) == 3
    assert db.session.scalar(select(func.count()).select_from(Order)
                             .where(Order.studio_id == g["studio"].id)) == 0


def test_a_participant_already_booked_refuses_the_whole_group(g):
    book_class(g["studio"], g["cls"], g["people"][2], actor=g["people"][2])
    with pytest.raises(AlreadyInClass):
        book_group(g["studio"], g["cls"], g["contact"], g["people"], g["plan"],
                   actor=g["admin"], paid_by=None)


def test_one_place_cancelled_in_time_is_refunded_with_a_credit_note(g):
    group = book_group(g["studio"], g["cls"], g["contact"], g["people"], g["plan"],
                       actor=g["admin"], paid_by=PaymentMethod.CASH)
    place = group.members[1]
    cancel_group_place(g["studio"], place.booking, actor=g["admin"])
    assert place.booking.status == BookingStatus.CANCELLED
    assert place.refunded_minor == group.order.gross_minor // 4
    note = db.session.scalar(select(Invoice).where(Invoice.order_id == group.order_id,
                                                   Invoice.kind == DocumentKind.CREDIT_NOTE))
    assert note.gross_minor == place.refunded_minor
    assert note.customer_id == g["contact"].id
    assert active(g["cls"]) == 3


def test_one_place_cancelled_late_keeps_its_share_and_costs_no_fee(g):
    soon = ClassFactory(studio=g["studio"], capacity=6, hours_ahead=2)
    group = book_group(g["studio"], soon, g["contact"], g["people"], g["plan"],
                       actor=g["admin"], paid_by=PaymentMethod.CASH)
    place = group.members[0]
    cancel_group_place(g["studio"], place.booking, actor=g["admin"])
    assert place.booking.status == BookingStatus.LATE_CANCELLED
    assert place.refunded_minor == 0
    assert db.session.scalar(select(Order).where(Order.fee_booking_id == place.booking_id)) \
        is None
    assert db.session.scalar(select(func.count()).select_from(GroupPlace)
                             .where(GroupPlace.group_id == group.id)) == 4


def test_a_group_that_does_not_fit_books_the_free_places_and_waitlists_the_rest_in_order(g,
                                                                                          jobs):
    for person in UserFactory.create_batch(4):
        book_class(g["studio"], g["cls"], person, actor=person)
    group = book_group(g["studio"], g["cls"], g["contact"], g["people"], g["plan"],
                       actor=g["admin"], paid_by=PaymentMethod.CASH, confirm=2)
    status = {b.customer_id: b for b in db.session.scalars(
        select(Booking).where(Booking.class_id == g["cls"].id))}
    ali, badr, chadi, dana = g["people"]
    assert [status[p.id].status for p in g["people"]] == [
        BookingStatus.CONFIRMED, BookingStatus.CONFIRMED,
        BookingStatus.WAITLISTED, BookingStatus.WAITLISTED]
    assert [waitlist_position(status[p.id]) for p in (chadi, dana)] == [1, 2]
    assert active(g["cls"]) == 6  # never more than the class holds
    order = group.order
    assert group.places == 2 and order.quantity == 2 and order.status == OrderStatus.PAID
    assert order.gross_minor == invoice_of(order).gross_minor < 4 * 2500
    description = invoice_of(order).snapshot["lines"][0]["description"]["en"]
    assert "Ali" in description and "Badr" in description
    assert "Chadi" not in description and "Dana" not in description
    assert sorted(m.customer_id for m in group.members) == sorted([ali.id, badr.id])
    db.session.commit()
    sent = {args[0]: func.rsplit(".", 1)[1] for func, args, *_ in jobs
            if "send_booked_for_you" in func or "send_booking_confirmed" in func}
    assert sent[status[chadi.id].id] == sent[status[dana.id].id] == "send_booking_confirmed"
    assert sent[status[ali.id].id] == "send_booked_for_you"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "group.booked",
                                                       AuditEvent.studio_id == g["studio"].id))
    assert event.data["waitlisted"] == [chadi.id, dana.id] and event.data["places"] == 2


def test_the_places_offered_taken_meanwhile_refuse_the_whole_group(g):
    for person in UserFactory.create_batch(5):
        book_class(g["studio"], g["cls"], person, actor=person)
    with pytest.raises(NotEnoughPlaces) as refused, db.session.begin_nested():
        book_group(g["studio"], g["cls"], g["contact"], g["people"], g["plan"],
                   actor=g["admin"], paid_by=PaymentMethod.CASH, confirm=2)
    assert "Only 1 of the 4 places are free" in str(refused.value)
    assert active(g["cls"]) == 5
    assert db.session.scalar(select(func.count()).select_from(Booking).where(
        Booking.class_id == g["cls"].id, Booking.status == BookingStatus.WAITLISTED)) == 0
    assert db.session.scalar(select(func.count()).select_from(Order)
                             .where(Order.studio_id == g["studio"].id)) == 0


def test_a_waitlisted_participant_promoted_later_is_not_charged_to_the_group(g):
    others = UserFactory.create_batch(4)
    for person in others:
        book_class(g["studio"], g["cls"], person, actor=person)
    group = book_group(g["studio"], g["cls"], g["contact"], g["people"], g["plan"],
                       actor=g["admin"], paid_by=PaymentMethod.CASH, confirm=2)
    paid = group.order.gross_minor
    cancel_booking(g["studio"], active_booking(g["cls"], others[0]), actor=others[0])
    chadi = active_booking(g["cls"], g["people"][2])
    assert chadi.status in (BookingStatus.CONFIRMED, BookingStatus.OFFERED)
    db.session.refresh(group.order)
    assert group.order.gross_minor == paid and group.order.quantity == 2
    assert place_of(chadi) is None
