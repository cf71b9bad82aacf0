"""The console books a company's group from the contact's page: participants found by email or
phone or added, all places or none, one order whose invoice lists them; a place cancelled from
the roster is credited back to the company."""

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.billing.models import DocumentKind, GroupBooking, Invoice, OrderStatus
from app.bookings.models import Booking, BookingStatus
from app.bookings.services import book_class
from app.extensions import db
from app.studios.models import Role, StudioCustomer
from app.studios.services import ensure_customer
from tests.conftest import login
from tests.factories import ClassFactory, PlanFactory, StudioFactory, UserFactory, staff
from tests.pages import Page


def customer(studio, name, email=None, phone="", company=""):
    user = UserFactory(name=name, **({"email": email} if email else {}))
    ensure_customer(studio, user)
    link = db.session.scalar(select(StudioCustomer).where(
        StudioCustomer.studio_id == studio.id, StudioCustomer.user_id == user.id))
    link.phone, link.company_name = phone, company
    db.session.flush()
    return user


@pytest.fixture
def c(app, client):
    a, b = StudioFactory(), StudioFactory()
    admin = staff(a, Role.STUDIO_ADMIN)
    login(client, admin)
    return dict(
        a=a, b=b, admin=admin,
        contact=customer(a, "Lina", "lina@acme.example", company="Acme LLC"),
        known=customer(a, "Karim", "karim@example.com"),
        by_phone=customer(a, "Maha", phone="+966 55 000 1111"),
        stranger=customer(b, "Nour", "nour@example.com", company="Other Co"),
        plan=PlanFactory(studio=a, name={"en": "Drop-in", "ar": "حصة"}, credits=1,
                         price_minor=2500, currency=a.currency),
        cls=ClassFactory(studio=a, capacity=6, hours_ahead=48),
        theirs=ClassFactory(studio=b))


PEOPLE = ("Karim, karim@example.com\nMaha, +٩٦٦ ٥٥ ٠٠٠ ١١١١\nSami, sami@example.com\n"
          "Rana, +966 50 123 4567")


def post(client, c, who=None, **data):
    form = {"class_id": c["cls"].id, "plan_id": c["plan"].id, "paid_by": "cash",
            "participants": PEOPLE, **data}
    return client.post(f"/manage/{c['a'].slug}/desk/customers/{(who or c['contact']).id}/groups",
                       data=form)


def group_in(c):
    return db.session.scalar(select(GroupBooking).where(GroupBooking.studio_id == c["a"].id))


def users():
    return db.session.scalar(select(func.count()).select_from(User))


def test_a_group_of_four_is_booked_and_answered_with_its_order(client, c):
    before = users()
    response = post(client, c)
    assert response.status_code == 303
    group = group_in(c)
    assert response.headers["Location"].endswith(f"/orders/{group.order_id}")
    assert users() == before + 2  # Karim and Maha found, Sami and Rana added
    booked = db.session.scalars(select(Booking).where(Booking.class_id == c["cls"].id)).all()
    assert {b.customer_id for b in booked} >= {c["known"].id, c["by_phone"].id}
    assert len(booked) == 4 and all(b.status == BookingStatus.CONFIRMED for b in booked)
    assert group.order.status == OrderStatus.PAID
    order_page = Page(client.get(response.headers["Location"]))
    assert "Sami" in order_page.text() and "Rana" in order_page.text()


def test_the_contact_page_offers_the_group_form_only_with_a_company(client, c):
    page = Page(client.get(f"/manage/{c['a'].slug}/customers/{c['contact'].id}"))
    assert page.all("#customer-group textarea[name=participants]")
    page = Page(client.get(f"/manage/{c['a'].slug}/customers/{c['known'].id}"))
    assert page.all("#customer-group textarea") == []


@pytest.mark.parametrize("participants", ["", "Karim", "Karim, not-an-email@", "K, 0550001111",
                                          "Karim, 12", "\n".join(["Al, 0550001111"] * 51)])
def test_bad_participants_are_a_422_and_nothing_is_written(client, c, participants):
    before = users()
    response = post(client, c, participants=participants)
    assert response.status_code == 422
    assert Page(response).all("#customer-group .field-error")
    assert users() == before and db.session.scalar(
        select(func.count()).select_from(Booking).where(Booking.studio_id == c["a"].id)) == 0


def test_too_few_places_books_nobody_and_adds_nobody(client, c):
    for person in UserFactory.create_batch(4):
        book_class(c["a"], c["cls"], person, actor=person)
    before = users()
    response = post(client, c)
    assert response.status_code == 409
    assert "Only 2 of the 4 places are free" in Page(response).text("#customer-group")
    assert users() == before and group_in(c) is None


def test_another_studios_contact_or_class_is_a_404(client, c):
    assert post(client, c, who=c["stranger"]).status_code == 404
    assert post(client, c, class_id=c["theirs"].id).status_code == 404
    assert group_in(c) is None


def test_a_place_cancelled_from_the_roster_is_credited_to_the_company(client, c):
    post(client, c)
    group = group_in(c)
    place = group.members[0]
    response = client.post(f"/manage/{c['a'].slug}/desk/bookings/{place.booking_id}/cancel",
                           data={"back": "roster"})
    assert response.status_code == 303
    db.session.refresh(place)
    assert place.booking.status == BookingStatus.CANCELLED and place.refunded_minor > 0
    note = db.session.scalar(select(Invoice).where(Invoice.studio_id == c["a"].id,
                                                   Invoice.kind == DocumentKind.CREDIT_NOTE))
    assert note.customer_id == c["contact"].id and note.gross_minor == place.refunded_minor


def test_a_refused_group_for_a_customer_without_a_company_still_says_why(client, c):
    response = post(client, c, who=c["known"], participants="x")
    assert response.status_code == 422
    assert Page(response).all("#customer-group .alert")
    assert group_in(c) is None


def offer_of(response) -> dict:
    """The fields of the refusal's "book the free places, waitlist the rest" form."""
    return {i.get("name"): i.get("value") for i in Page(response).all("#group-offer input")}


def test_a_refusal_offers_the_free_places_and_the_waitlist_for_the_rest(client, c):
    for person in UserFactory.create_batch(4):
        book_class(c["a"], c["cls"], person, actor=person)
    refused = post(client, c)
    assert refused.status_code == 409
    offer = Page(refused).text("#group-offer")
    assert "Places for: Karim, Maha." in offer
    assert "On the waitlist, in this order: Sami, Rana." in offer
    assert "not paid for yet" in offer and "Book 2 places and waitlist the rest" in offer
    response = client.post(f"/manage/{c['a'].slug}/desk/customers/{c['contact'].id}/groups",
                           data=offer_of(refused))
    assert response.status_code == 303
    group = group_in(c)
    assert group.places == 2 and group.order.quantity == 2
    booked = {b.customer.name: b.status for b in db.session.scalars(
        select(Booking).where(Booking.class_id == c["cls"].id))}
    assert [booked[n] for n in ("Karim", "Maha", "Sami", "Rana")] == [
        BookingStatus.CONFIRMED, BookingStatus.CONFIRMED,
        BookingStatus.WAITLISTED, BookingStatus.WAITLISTED]
    order_page = Page(client.get(response.headers["Location"]))
    assert "Maha" in order_page.text() and "Sami" not in order_page.text()


def test_the_offer_in_arabic_and_no_offer_when_the_class_is_full(client, c):
    client.get("/?lang=ar")
    for person in UserFactory.create_batch(5):
        book_class(c["a"], c["cls"], person, actor=person)
    refused = post(client, c)
    assert refused.status_code == 409
    offer = Page(refused).text("#group-offer")
    assert "قائمة الانتظار" in offer and "Karim" in offer
    last = UserFactory()
    book_class(c["a"], c["cls"], last, actor=last)
    full = post(client, c)
    assert full.status_code == 409 and Page(full).all("#group-offer") == []
