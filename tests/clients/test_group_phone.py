"""A company contact books a group from the phone: the class page offers it to company contacts
only; the total for N places comes first; by card the places are held while Stripe Checkout is
open, paid through the (fake) Stripe webhook or released when Checkout expires; at the studio
the places are booked and the order waits at the desk. All or nothing, as at the desk."""

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.billing.models import GroupBooking, Invoice, OrderStatus, PaymentMethodKind
from app.bookings.models import Booking, BookingStatus
from app.bookings.services import book_class
from app.extensions import db
from app.memberships.models import PlanKind
from tests.billing.fake_stripe import card_studio
from tests.billing.test_stripe import deliver
from tests.clients.test_group_desk import customer
from tests.conftest import login
from tests.factories import ClassFactory, PlanFactory, StudioFactory, UserFactory
from tests.pages import Page

PEOPLE = "Karim, karim@example.com\nMaha, +٩٦٦ ٥٥ ٠٠٠ ١١١١\nSami, sami@example.com"
HX = {"HX-Request": "true"}


@pytest.fixture
def g(app, client):
    studio = card_studio("grp")
    studio.booking_requires_pass = False  # the others who book here need no pass
    contact = customer(studio, "Lina", "lina@acme.example", company="Acme LLC")
    login(client, contact)
    return dict(
        studio=studio, contact=contact,
        known=customer(studio, "Karim", "karim@example.com"),
        plan=PlanFactory(studio=studio, kind=PlanKind.DROP_IN, name={"en": "Drop-in",
                         "ar": "حصة"}, credits=1, price_minor=2000, currency=studio.currency),
        cls=ClassFactory(studio=studio, capacity=4, hours_ahead=48))


def url(g) -> str:
    return f"/s/{g['studio'].slug}/classes/{g['cls'].id}/group"


def post(client, g, **data):
    form = {"plan_id": g["plan"].id, "participants": PEOPLE, "pay": "card",
            "idempotency_key": "k1", **data}
    return client.post(url(g), data=form)


def group_in(g) -> GroupBooking | None:
    return db.session.scalar(select(GroupBooking).where(
        GroupBooking.studio_id == g["studio"].id))


def active_in(g) -> int:
    return db.session.scalar(select(func.count()).select_from(Booking).where(
        Booking.class_id == g["cls"].id, Booking.status == BookingStatus.CONFIRMED))


def told(jobs, name: str) -> int:
    return sum(1 for job in jobs if job[0].endswith(name))


def test_only_a_company_contact_sees_group_booking(client, g):
    page = Page(client.get(f"/s/{g['studio'].slug}/classes/{g['cls'].id}?lang=en"))
    assert page.all(f"a[href='{url(g)}']")
    client.post("/logout")
    login(client, g["known"])
    page = Page(client.get(f"/s/{g['studio'].slug}/classes/{g['cls'].id}?lang=en"))
    assert page.all(f"a[href='{url(g)}']") == []
    passed_on = Page(client.get(url(g) + "?lang=en"))  # a link passed on: no form
    assert "for a company's contact" in passed_on.text("#group-form")
    assert passed_on.all("#group-form form") == []
    assert post(client, g, step="book").status_code == 404
    assert group_in(g) is None


def test_the_total_for_the_places_comes_first_and_books_nothing(client, g):
    form = Page(client.get(url(g) + "?lang=en"))
    assert form.all("#group-form textarea[name=participants]")
    quote = post(client, g, step="")
    assert quote.status_code == 200
    # 3 × 20.00 plus Ontario's 13 % HST
    assert "3 places: CA$67.80" in Page(quote).text("#group-form")
    assert group_in(g) is None and active_in(g) == 0
    fragment = client.post(url(g), data={"plan_id": g["plan"].id, "participants": PEOPLE,
                                         "pay": "card"}, headers=HX)
    assert "<html" not in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]
    assert "3 places" in Page(fragment).text("#group-form")


def test_by_card_the_places_are_held_then_paid_through_the_webhook(client, g, fake, jobs):
    answer = post(client, g, step="book")
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("https://checkout.stripe.test/")
    group = group_in(g)
    order = group.order
    assert order.is_card and order.status == OrderStatus.AWAITING_PAYMENT
    assert order.gross_minor == 6780 and order.quantity == 3
    assert active_in(g) == 3  # held while Checkout is open
    (created,) = fake.calls("POST", "/v1/checkout/sessions")
    assert int(created["params"]["expires_at"]) == int(order.created_at.timestamp()) + 30 * 60
    assert told(jobs, "send_booked_for_you") == 0  # nobody is told before the money comes
    again = post(client, g, step="book")  # the same tap twice: the same order, no second group
    assert again.status_code == 303 and db.session.scalar(
        select(func.count()).select_from(GroupBooking).where(
            GroupBooking.studio_id == g["studio"].id)) == 1

    session = fake.complete(order.stripe_checkout_session_id)
    assert deliver(client, g["studio"], fake.event("checkout.session.completed", session)
                   ).status_code == 200
    db.session.expire_all()
    assert order.status == OrderStatus.PAID and active_in(g) == 3
    invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    assert invoice.customer_id == g["contact"].id and invoice.gross_minor == 6780
    assert told(jobs, "send_booked_for_you") == 3
    page = Page(client.get(f"/me/orders/{order.id}?lang=en")).text()
    assert "Karim" in page and "Sami" in page


def test_an_expired_checkout_gives_the_places_back(client, g, fake, jobs):
    post(client, g, step="book")
    order = group_in(g).order
    session = fake.objects[order.stripe_checkout_session_id]
    session.update(status="expired")
    deliver(client, g["studio"], fake.event("checkout.session.expired", dict(session)))
    db.session.expire_all()
    assert order.status == OrderStatus.CANCELLED and active_in(g) == 0
    assert told(jobs, "send_booking_cancelled") == 0  # never told of a place, never of its end
    other = UserFactory()
    assert book_class(g["studio"], g["cls"], other, actor=other).status == \
        BookingStatus.CONFIRMED


def test_paying_at_the_studio_books_at_once_and_the_order_waits(client, g, jobs):
    answer = post(client, g, step="book", pay="desk")
    assert answer.status_code == 303
    order = group_in(g).order
    assert answer.headers["Location"].endswith(f"/me/orders/{order.id}")
    assert order.payment_method_kind == PaymentMethodKind.AT_STUDIO
    assert order.status == OrderStatus.AWAITING_PAYMENT and active_in(g) == 3
    assert told(jobs, "send_booked_for_you") == 3
    # the studio's cap of one unpaid order per kind: a second group waits for this one's payment
    refused = post(client, g, step="book", pay="desk", idempotency_key="k2",
                   participants="Rana, rana@example.com")
    assert refused.status_code == 409 and group_in(g).order_id == order.id


def test_a_group_that_does_not_fit_is_refused_whole_and_adds_nobody(client, g):
    for person in UserFactory.create_batch(2):
        book_class(g["studio"], g["cls"], person, actor=person)
    before = db.session.scalar(select(func.count()).select_from(User))
    refused = post(client, g, step="book")
    assert refused.status_code == 409
    assert "Only 2 of the 3 places are free" in Page(refused).text("#group-form")
    assert group_in(g) is None and active_in(g) == 2
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_the_refusal_in_arabic(client, g):
    client.get("/?lang=ar")
    for person in UserFactory.create_batch(2):
        book_class(g["studio"], g["cls"], person, actor=person)
    refused = post(client, g, step="book")
    assert refused.status_code == 409
    text = Page(refused).text("#group-form")
    assert "Only" not in text and "2" in text


@pytest.mark.parametrize("participants", ["", "Karim", "Karim, not-an-email@",
                                          "\n".join(["Al, 0550001111"] * 51)])
def test_bad_participants_are_a_422_and_nothing_is_written(client, g, participants):
    response = post(client, g, step="book", participants=participants)
    assert response.status_code == 422
    assert Page(response).all("#group-form .field-error")
    assert group_in(g) is None and active_in(g) == 0


def test_another_studios_class_or_plan_is_a_404(client, g):
    other = StudioFactory()
    theirs = ClassFactory(studio=other)
    assert client.get(f"/s/{g['studio'].slug}/classes/{theirs.id}/group").status_code == 404
    their_plan = PlanFactory(studio=other, kind=PlanKind.DROP_IN)
    assert post(client, g, step="book", plan_id=their_plan.id).status_code == 422
    assert group_in(g) is None
