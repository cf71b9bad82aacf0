"""The front desk books on a customer's behalf, from the console roster and from the customer's
page: with their pass or a pass sold on the spot, cancels (a late cancel's consequence waived
if staff choose), the waitlist, a spot given by hand, a move to another class; the same rules
as the customer's own booking, every action in the audit log under the staff member's name."""

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.billing.models import DocumentKind, Invoice, Order, OrderStatus
from app.bookings import services
from app.bookings.models import Booking, BookingStatus
from app.extensions import db
from app.memberships.models import Pass
from app.memberships.services import balances
from app.studios.models import Role, WaitlistMode
from app.studios.services import ensure_customer
from tests.conftest import login
from tests.factories import ClassFactory, PlanFactory, StudioFactory, UserFactory, paid_order, staff
from tests.pages import Page

HX = {"HX-Request": "true"}


@pytest.fixture
def d(app, client):
    """Studio A (passes required, a late-cancel fee) with its admin signed in; Sara holds a
    10-class pack; Omar has nothing yet. Studio B has its own customer and class."""
    a = StudioFactory(booking_requires_pass=True, late_cancel_fee_minor=500)
    b = StudioFactory()
    admin = staff(a, Role.STUDIO_ADMIN)
    sara, omar = UserFactory(name="Sara Haddad"), UserFactory(name="Omar Nasser")
    for person in (sara, omar):
        ensure_customer(a, person)
    paid_order(a, sara)
    stranger = UserFactory(name="Huda")
    ensure_customer(b, stranger)
    login(client, admin)
    return dict(a=a, b=b, admin=admin, sara=sara, omar=omar, stranger=stranger,
                cls=ClassFactory(studio=a, capacity=2), soon=ClassFactory(studio=a, hours_ahead=2),
                later=ClassFactory(studio=a, hours_ahead=48),
                foreign=ClassFactory(studio=b))


def url(d, path):
    return f"/manage/{d['a'].slug}/desk/{path}"


def book(client, d, cls, who, back="customer", **extra):
    return client.post(url(d, "bookings"), data={"class_id": cls.id, "customer_id": who.id,
                                                 "plan_id": 0, "back": back, **extra})


def bookings_of(cls, who):
    return db.session.scalars(select(Booking).where(Booking.class_id == cls.id,
                                                    Booking.customer_id == who.id)).all()


def credits_left(who, studio):
    ids = list(db.session.scalars(select(Pass.id).where(Pass.customer_id == who.id,
                                                        Pass.studio_id == studio.id)))
    return sum(balances(ids).values())


def audit(action, studio):
    """`action`'s events in `studio` (race tests elsewhere leave committed events too)."""
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action,
                                                       AuditEvent.studio_id == studio.id)).all()


def count(model, studio):
    """Rows of `model` in `studio` (race tests elsewhere leave committed rows of their own)."""
    return db.session.scalar(select(func.count()).select_from(model)
                             .where(model.studio_id == studio.id))


def test_the_desk_books_a_member_with_her_pass_and_the_log_names_the_staff_member(client, d):
    response = book(client, d, d["cls"], d["sara"])
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/customers/{d['sara'].id}")
    (booking,) = bookings_of(d["cls"], d["sara"])
    assert booking.status == BookingStatus.CONFIRMED and booking.booked_by_id == d["admin"].id
    assert credits_left(d["sara"], d["a"]) == 9
    (event,) = audit("booking.booked_for", d["a"])
    assert event.actor_id == d["admin"].id and event.subject == f"booking:{booking.id}"
    page = Page(client.get(f"/manage/{d['a'].slug}/customers/{d['sara'].id}"))
    assert "Sara Haddad is booked." in page.text()
    assert f"booking-{booking.id}" in page.ids("#customer-bookings li")
    # A second submit (a double tap) is the same booking, nothing more taken.
    assert book(client, d, d["cls"], d["sara"]).status_code == 303
    assert len(bookings_of(d["cls"], d["sara"])) == 1 and credits_left(d["sara"], d["a"]) == 9


def test_htmx_gets_the_bookings_block_of_the_customer_page(client, d):
    response = client.post(url(d, "bookings"), headers=HX, data={
        "class_id": d["cls"].id, "customer_id": d["sara"].id, "plan_id": 0, "back": "customer"})
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    page = Page(response)
    assert "<html" not in response.get_data(as_text=True)
    assert "Sara Haddad is booked." in page.text("#customer-bookings")


def test_without_a_pass_the_desk_is_refused_like_the_customer_and_nothing_is_written(client, d):
    response = client.post(url(d, "bookings"), headers=HX, data={
        "class_id": d["cls"].id, "customer_id": d["omar"].id, "plan_id": 0, "back": "customer"})
    assert response.status_code == 402
    assert "You need a pass or membership" in response.get_data(as_text=True)
    assert bookings_of(d["cls"], d["omar"]) == []


def test_a_pass_sold_on_the_spot_paid_in_cash_books_and_invoices(client, d):
    plan = PlanFactory(studio=d["a"], name={"en": "Drop-in", "ar": "حصة واحدة"}, credits=1,
                       price_minor=3000)
    response = book(client, d, d["cls"], d["omar"], plan_id=plan.id, paid_by="cash")
    assert response.status_code == 303
    (booking,) = bookings_of(d["cls"], d["omar"])
    assert booking.status == BookingStatus.CONFIRMED
    order = db.session.scalar(select(Order).where(Order.customer_id == d["omar"].id))
    assert order.status == OrderStatus.PAID and order.booking_class_id == d["cls"].id
    assert db.session.scalar(select(Invoice).where(Invoice.order_id == order.id,
                                                   Invoice.kind == DocumentKind.INVOICE))
    assert credits_left(d["omar"], d["a"]) == 0  # the drop-in's credit paid for the class


def test_a_pass_sold_owed_at_the_desk_waits_for_payment(client, d):
    plan = PlanFactory(studio=d["a"], credits=5)
    assert book(client, d, d["cls"], d["omar"], plan_id=plan.id, paid_by="").status_code == 303
    order = db.session.scalar(select(Order).where(Order.customer_id == d["omar"].id))
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert bookings_of(d["cls"], d["omar"])[0].status == BookingStatus.CONFIRMED


def test_a_pass_that_cannot_pay_for_the_class_sells_nothing(client, d):
    other_type = ClassFactory(studio=d["a"]).class_type_id
    plan = PlanFactory(studio=d["a"], eligible_class_type_ids=[other_type])
    orders = count(Order, d["a"])
    response = client.post(url(d, "bookings"), headers=HX, data={
        "class_id": d["cls"].id, "customer_id": d["omar"].id, "plan_id": plan.id,
        "paid_by": "cash", "back": "customer"})
    assert response.status_code == 402
    assert count(Order, d["a"]) == orders and bookings_of(d["cls"], d["omar"]) == []


def test_a_late_cancel_waived_gives_the_credit_back_without_a_fee_and_is_audited(client, d):
    booking = services.book_class(d["a"], d["soon"], d["sara"], actor=d["sara"])
    assert credits_left(d["sara"], d["a"]) == 9
    page = Page(client.get(f"/manage/{d['a'].slug}/customers/{d['sara'].id}"))
    assert page.all(f"#booking-{booking.id} input[name=waive_late]")  # offered: it is late
    response = client.post(url(d, f"bookings/{booking.id}/cancel"),
                           data={"back": "customer", "waive_late": "y"})
    assert response.status_code == 303
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CANCELLED
    assert credits_left(d["sara"], d["a"]) == 10
    assert db.session.scalar(select(Order).where(Order.fee_booking_id == booking.id)) is None
    (event,) = audit("booking.cancelled_for", d["a"])
    assert event.actor_id == d["admin"].id and event.data["late_waived"] is True


def test_a_late_cancel_not_waived_costs_what_the_customer_would_pay(client, d):
    booking = services.book_class(d["a"], d["soon"], d["sara"], actor=d["sara"])
    response = client.post(url(d, f"bookings/{booking.id}/cancel"), data={"back": "customer"})
    assert response.status_code == 303
    db.session.refresh(booking)
    assert booking.status == BookingStatus.LATE_CANCELLED
    assert credits_left(d["sara"], d["a"]) == 9
    fee = db.session.scalar(select(Order).where(Order.fee_booking_id == booking.id))
    assert fee is not None and fee.gross_minor >= 500
    assert audit("booking.cancelled_for", d["a"])[0].data["late_waived"] is False


def test_waitlist_taken_off_and_a_spot_given_by_hand(client, d):
    d["a"].waitlist_mode = WaitlistMode.CLAIM
    full = ClassFactory(studio=d["a"], capacity=1)
    first = UserFactory()
    paid_order(d["a"], first)
    taken = services.book_class(d["a"], full, first, actor=first)
    book(client, d, full, d["sara"], back="roster")
    (waiting,) = bookings_of(full, d["sara"])
    assert waiting.status == BookingStatus.WAITLISTED
    # No spot free: giving one by hand is refused, nothing changes.
    response = client.post(url(d, f"bookings/{waiting.id}/promote"), headers=HX,
                           data={"back": "roster"})
    assert response.status_code == 409 and "This class is full." in response.get_data(True)
    db.session.refresh(waiting)
    assert waiting.status == BookingStatus.WAITLISTED
    services.cancel_booking(d["a"], taken, actor=first)  # the spot is offered to Sara
    db.session.refresh(waiting)
    assert waiting.status == BookingStatus.OFFERED
    response = client.post(url(d, f"bookings/{waiting.id}/promote"), headers=HX,
                           data={"back": "roster"})
    assert response.status_code == 200
    assert "has the spot" in Page(response).text("#class-roster")
    db.session.refresh(waiting)
    assert waiting.status == BookingStatus.CONFIRMED and credits_left(d["sara"], d["a"]) == 9
    assert audit("booking.promoted", d["a"])[0].actor_id == d["admin"].id


def test_taking_someone_off_the_waitlist(client, d):
    full = ClassFactory(studio=d["a"], capacity=1)
    services.book_class(d["a"], full, d["sara"], actor=d["sara"])
    paid_order(d["a"], d["omar"])
    book(client, d, full, d["omar"], back="roster")
    (waiting,) = bookings_of(full, d["omar"])
    response = client.post(url(d, f"bookings/{waiting.id}/cancel"), data={"back": "roster"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/classes/{full.id}")
    db.session.refresh(waiting)
    assert waiting.status == BookingStatus.CANCELLED


def test_a_move_cancels_the_old_booking_and_books_the_new_one_with_the_same_credit(client, d):
    booking = services.book_class(d["a"], d["cls"], d["sara"], actor=d["sara"])
    response = client.post(url(d, f"bookings/{booking.id}/move"),
                           data={"back": "customer", "to_class_id": d["later"].id})
    assert response.status_code == 303
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CANCELLED
    (moved,) = bookings_of(d["later"], d["sara"])
    assert moved.status == BookingStatus.CONFIRMED and credits_left(d["sara"], d["a"]) == 9
    (event,) = audit("booking.moved", d["a"])
    assert event.actor_id == d["admin"].id and event.data["from_class_id"] == d["cls"].id


def test_a_move_into_a_full_class_is_refused_whole(client, d):
    full = ClassFactory(studio=d["a"], capacity=1, hours_ahead=30)
    other = UserFactory()
    paid_order(d["a"], other)
    services.book_class(d["a"], full, other, actor=other)
    booking = services.book_class(d["a"], d["cls"], d["sara"], actor=d["sara"])
    response = client.post(url(d, f"bookings/{booking.id}/move"), headers=HX,
                           data={"back": "customer", "to_class_id": full.id})
    assert response.status_code == 409
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CONFIRMED and bookings_of(full, d["sara"]) == []
    assert credits_left(d["sara"], d["a"]) == 9


def test_the_roster_finds_a_customer_and_books_her_in(client, d):
    page = Page(client.get(f"/manage/{d['a'].slug}/classes/{d['cls'].id}"))
    assert page.all("#desk-find input[name=q]")
    found = client.get(url(d, f"classes/{d['cls'].id}/find?q=sara"), headers=HX)
    assert found.status_code == 200
    names = [e.text for e in Page(found).all("#desk-find .customer-name")]
    assert names == ["Sara Haddad"]
    response = client.post(url(d, "bookings"), headers=HX, data={
        "class_id": d["cls"].id, "customer_id": d["sara"].id, "plan_id": 0, "back": "roster"})
    assert response.status_code == 200
    assert "Sara Haddad" in Page(response).text("#class-roster tbody")


def test_the_roster_search_never_shows_another_studios_customers(client, d):
    found = client.get(url(d, f"classes/{d['cls'].id}/find?q=huda"), headers=HX)
    assert Page(found).all("#desk-find .customer-name") == []


@pytest.mark.parametrize("data", [
    {"back": "elsewhere"},
    {"class_id": "abc"},
    {"customer_id": ""},
    {"plan_id": "999999"},
    {"paid_by": "stripe"},
])
def test_bad_input_is_a_422_and_nothing_is_written(client, d, data):
    form = {"class_id": d["cls"].id, "customer_id": d["sara"].id, "plan_id": 0,
            "back": "customer", **data}
    response = client.post(url(d, "bookings"), data=form, headers=HX)
    assert response.status_code == 422
    assert count(Booking, d["a"]) == 0 and audit("booking.booked_for", d["a"]) == []


def test_bad_input_is_answered_in_arabic(client, d):
    response = client.post(url(d, "bookings") + "?lang=ar", headers=HX, data={
        "class_id": d["cls"].id, "customer_id": d["sara"].id, "plan_id": "999999",
        "back": "customer"})
    assert response.status_code == 422
    assert Page(response).text("#customer-bookings .alert") == "اختيار غير صحيح."
    response = client.post(url(d, "bookings") + "?lang=ar", headers=HX, data={
        "class_id": "x", "customer_id": d["sara"].id, "plan_id": 0, "back": "customer"})
    assert response.status_code == 422 and response.headers["HX-Reswap"] == "none"
    assert Page(response).text("#page-alert") == "قيمة العدد الحقيقي غير صالحة."
    assert count(Booking, d["a"]) == 0


def test_another_studios_class_customer_or_booking_is_a_404(client, d):
    theirs = services.book_class(d["b"], d["foreign"], d["stranger"], actor=d["stranger"])
    mine = services.book_class(d["a"], d["cls"], d["sara"], actor=d["sara"])
    assert book(client, d, d["foreign"], d["sara"]).status_code == 404
    assert book(client, d, d["cls"], d["stranger"]).status_code == 404
    for action in ("cancel", "promote", "move"):
        response = client.post(url(d, f"bookings/{theirs.id}/{action}"),
                               data={"back": "customer", "to_class_id": d["cls"].id})
        assert response.status_code == 404
    response = client.post(url(d, f"bookings/{mine.id}/move"),
                           data={"back": "customer", "to_class_id": d["foreign"].id})
    assert response.status_code == 404
    assert client.get(url(d, f"classes/{d['foreign'].id}/find?q=h")).status_code == 404
    db.session.refresh(theirs)
    assert theirs.status == BookingStatus.CONFIRMED


def test_a_trainer_has_no_desk(client, d):
    trainer = staff(d["a"], Role.TRAINER)
    login(client, trainer)
    assert book(client, d, d["cls"], d["sara"]).status_code == 404
    assert bookings_of(d["cls"], d["sara"]) == []


def test_the_desk_is_not_held_to_the_booking_window(client, d):
    d["a"].booking_closes_minutes = 24 * 60  # closed for customers a day before
    assert book(client, d, d["soon"], d["sara"]).status_code == 303
    assert bookings_of(d["soon"], d["sara"])[0].status == BookingStatus.CONFIRMED


def test_a_class_over_is_refused(client, d):
    past = ClassFactory(studio=d["a"], hours_ahead=-3)
    response = client.post(url(d, "bookings"), headers=HX, data={
        "class_id": past.id, "customer_id": d["sara"].id, "plan_id": 0, "back": "customer"})
    assert response.status_code == 409 and bookings_of(past, d["sara"]) == []


def test_the_desk_asks_for_the_consoles_second_step(app, client, d, monkeypatch):
    monkeypatch.setitem(app.config, "SECOND_STEP_FOR_STAFF", True)
    response = book(client, d, d["cls"], d["sara"])
    assert response.status_code == 303 and "/me/security" in response.location
    assert bookings_of(d["cls"], d["sara"]) == []
