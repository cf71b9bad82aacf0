"""A group booked on a whole course: a place per participant in every session still to come,
all or nothing across the sessions, one order and one invoice to the company; at the desk
(the contact's page) and on the contact's phone, by card through the (fake) Stripe webhook."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.billing.errors import CourseHasNoSessions, CourseTooLong, SessionFull
from app.billing.models import GroupBooking, Invoice, OrderStatus, PaymentMethod
from app.billing.services.course_groups import MAX_SESSIONS, book_course_group
from app.bookings.models import Booking, BookingStatus
from app.bookings.services import book_class
from app.certificates.services.courses import save_course
from app.core.db import utcnow
from app.extensions import db
from app.memberships.models import PlanKind
from app.schedule.models import ClassStatus
from app.studios.models import Role
from tests.billing.fake_stripe import card_studio
from tests.billing.test_stripe import deliver
from tests.clients.test_group_desk import customer
from tests.conftest import login
from tests.factories import (
    ClassFactory,
    ClassTypeFactory,
    PlanFactory,
    StudioFactory,
    UserFactory,
    staff,
)
from tests.pages import Page


def world(studio, sessions=3, capacity=4):
    admin = staff(studio, Role.STUDIO_ADMIN)
    kind = ClassTypeFactory(studio=studio, name={"en": "First aid", "ar": "إسعافات أولية"})
    classes = [ClassFactory(studio=studio, class_type_id=kind.id, capacity=capacity,
                            hours_ahead=48 + 24 * i) for i in range(sessions)]
    course = save_course(studio, actor=admin, name={"en": "First aid course",
                                                     "ar": "دورة الإسعافات"},
                         class_type_id=kind.id, min_sessions=sessions, title={}, body={})
    return dict(studio=studio, admin=admin, classes=classes, course=course,
                contact=customer(studio, "Lina", f"lina@{studio.slug}.example",
                                 company="Acme LLC"),
                people=[UserFactory(name=n) for n in ("Ali", "Badr")],
                plan=PlanFactory(studio=studio, kind=PlanKind.DROP_IN, credits=1,
                                 price_minor=2000, currency=studio.currency))


@pytest.fixture
def c(app):
    return world(StudioFactory())


def confirmed(classes) -> list[int]:
    return [db.session.scalar(select(func.count()).select_from(Booking).where(
        Booking.class_id == cls.id, Booking.status == BookingStatus.CONFIRMED))
        for cls in classes]


def book(c, **options):
    return book_course_group(c["studio"], c["course"], c["contact"], c["people"], c["plan"],
                             actor=c["admin"], **options)


def test_every_session_is_booked_on_one_order_and_one_invoice(c, jobs):
    groups = book(c, paid_by=PaymentMethod.CASH)
    assert [g.class_id for g in groups] == sorted(cls.id for cls in c["classes"])
    assert {g.order_id for g in groups} == {groups[0].order_id}
    assert all(g.course_id == c["course"].id and g.places == 2 for g in groups)
    order = groups[0].order
    assert order.quantity == 6 and order.status == OrderStatus.PAID
    invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    line = invoice.snapshot["lines"][0]
    assert line["quantity"] == 6 and "First aid course" in line["description"]["en"]
    assert "Ali" in line["description"]["en"] and "Badr" in line["description"]["en"]
    assert confirmed(c["classes"]) == [2, 2, 2]
    db.session.commit()
    assert sum(1 for job in jobs if job[0].endswith("send_booked_for_you")) == 6


def test_one_full_session_refuses_the_whole_course(c):
    last = c["classes"][-1]
    for person in UserFactory.create_batch(3):
        book_class(c["studio"], last, person, actor=person)
    with pytest.raises(SessionFull) as refused:
        with db.session.begin_nested():
            book(c, paid_by=PaymentMethod.CASH)
    assert "Only 1 of the 2 places are free on" in str(refused.value)
    assert confirmed(c["classes"]) == [0, 0, 3]
    assert db.session.scalar(select(func.count()).select_from(GroupBooking).where(
        GroupBooking.studio_id == c["studio"].id)) == 0


def test_sessions_past_or_cancelled_are_left_out_and_a_course_without_any_is_refused(c):
    c["classes"][0].status = ClassStatus.CANCELLED
    c["classes"][1].starts_at = utcnow() - timedelta(hours=2)
    c["classes"][1].ends_at = utcnow() - timedelta(hours=1)
    db.session.flush()
    groups = book(c)
    assert [g.class_id for g in groups] == [c["classes"][2].id]
    assert groups[0].order.quantity == 2
    c["classes"][2].status = ClassStatus.CANCELLED
    db.session.flush()
    with pytest.raises(CourseHasNoSessions):
        book(c, idempotency_key=None)


def test_a_course_of_more_sessions_than_the_bound_is_refused(app):
    c = world(StudioFactory(), sessions=MAX_SESSIONS + 1, capacity=2)
    with pytest.raises(CourseTooLong):
        book(c)
    assert confirmed(c["classes"][:3]) == [0, 0, 0]


# --- The desk ---------------------------------------------------------------------------------


def desk_post(client, c, **data):
    form = {"course-course_id": c["course"].id, "course-plan_id": c["plan"].id,
            "course-paid_by": "cash", "course-participants": "Karim, karim@example.com\n"
            "Sami, sami@example.com", **data}
    return client.post(f"/manage/{c['studio'].slug}/desk/customers/{c['contact'].id}"
                       "/course-groups", data=form)


def test_the_desk_books_the_course_from_the_contacts_page(client, c):
    login(client, c["admin"])
    page = Page(client.get(f"/manage/{c['studio'].slug}/customers/{c['contact'].id}?lang=en"))
    assert page.all("#customer-course-group select[name='course-course_id']")
    answer = desk_post(client, c)
    assert answer.status_code == 303
    order_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    assert confirmed(c["classes"]) == [2, 2, 2]
    order_page = Page(client.get(f"/manage/{c['studio'].slug}/orders/{order_id}?lang=en"))
    assert "Karim" in order_page.text() and "Sami" in order_page.text()


def test_the_desk_refusal_says_which_session_in_arabic_and_books_nothing(client, c):
    login(client, c["admin"])
    client.get("/?lang=ar")
    for person in UserFactory.create_batch(4):
        book_class(c["studio"], c["classes"][1], person, actor=person)
    refused = desk_post(client, c)
    assert refused.status_code == 409
    text = Page(refused).text("#customer-course-group")
    assert "Only" not in text and "0" in text
    assert confirmed(c["classes"]) == [0, 4, 0]


@pytest.mark.parametrize("field, value", [("course-participants", ""),
                                          ("course-course_id", "999999"),
                                          ("course-participants", "\n".join(
                                              ["Al, 0550001111"] * 51))])
def test_bad_desk_input_is_a_422(client, c, field, value):
    login(client, c["admin"])
    assert desk_post(client, c, **{field: value}).status_code == 422
    assert confirmed(c["classes"]) == [0, 0, 0]


def test_another_studios_course_is_refused(client, c):
    login(client, c["admin"])
    theirs = world(StudioFactory())
    assert desk_post(client, c, **{"course-course_id": theirs["course"].id}).status_code == 422
    assert confirmed(theirs["classes"]) == [0, 0, 0]


# --- The phone --------------------------------------------------------------------------------


@pytest.fixture
def card(app, client):
    studio = card_studio("crs")
    studio.booking_requires_pass = False
    c = world(studio)
    login(client, c["contact"])
    return c


def phone_post(client, c, **data):
    form = {"plan_id": c["plan"].id, "course_id": c["course"].id, "pay": "card",
            "participants": "Ali, ali@example.com\nBadr, badr@example.com",
            "idempotency_key": "c1", **data}
    return client.post(f"/s/{c['studio'].slug}/classes/{c['classes'][0].id}/group", data=form)


def test_the_phone_quotes_the_course_then_holds_it_by_card_until_paid(client, card, fake, jobs):
    quote = phone_post(client, card, step="")
    # 2 places × 3 sessions × 20.00, plus 13 % HST
    assert "2 places in each of 3 sessions: CA$135.60" in Page(quote).text("#group-form")
    assert confirmed(card["classes"]) == [0, 0, 0]
    answer = phone_post(client, card, step="book")
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("https://checkout.stripe.test/")
    order = db.session.scalar(select(GroupBooking).where(
        GroupBooking.course_id == card["course"].id)).order
    assert order.is_card and order.gross_minor == 13560
    assert confirmed(card["classes"]) == [2, 2, 2]  # held while Checkout is open
    session = fake.complete(order.stripe_checkout_session_id)
    deliver(client, card["studio"], fake.event("checkout.session.completed", session))
    db.session.expire_all()
    assert order.status == OrderStatus.PAID and confirmed(card["classes"]) == [2, 2, 2]
    assert sum(1 for job in jobs if job[0].endswith("send_booked_for_you")) == 6


def test_an_expired_course_checkout_gives_every_session_back(client, card, fake):
    phone_post(client, card, step="book")
    order = db.session.scalar(select(GroupBooking).where(
        GroupBooking.course_id == card["course"].id)).order
    session = dict(fake.objects[order.stripe_checkout_session_id], status="expired")
    deliver(client, card["studio"], fake.event("checkout.session.expired", session))
    db.session.expire_all()
    assert order.status == OrderStatus.CANCELLED and confirmed(card["classes"]) == [0, 0, 0]


def test_a_class_of_no_course_offers_no_course(client, card):
    lone = ClassFactory(studio=card["studio"], hours_ahead=30)
    page = Page(client.get(f"/s/{card['studio'].slug}/classes/{lone.id}/group?lang=en"))
    assert page.all("#group-form textarea") and page.all("select[name=course_id]") == []
    page = Page(client.get(f"/s/{card['studio'].slug}/classes/{card['classes'][0].id}/group"))
    assert page.all("select[name=course_id]")
