"""One-off events with what pays for them: the plans a class accepts, and a priced event's own
ticket bought and booked through the existing checkout (by card, through the local Stripe)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.billing.models import Invoice, Order, OrderStatus
from app.bookings.models import Booking, BookingStatus
from app.extensions import db
from app.memberships.models import Plan, PlanKind
from app.memberships.services import grant_pass
from app.schedule.models import ScheduledClass
from app.schedule.queries import local_today
from app.studios.models import Role
from tests.billing.test_stripe import apply_queued, deliver, pass_of
from tests.conftest import login
from tests.factories import ClassFactory, ClassTypeFactory, PlanFactory, StudioFactory, staff
from tests.pages import Page


@pytest.fixture
def admin(client, studio):
    user = staff(studio, Role.STUDIO_ADMIN)
    login(client, user)
    return user


@pytest.fixture
def shopper(app, customer):
    other = app.test_client()
    login(other, customer)
    return other


def event_form(studio, class_type, **overrides) -> dict:
    day = local_today(studio.default_location.timezone) + timedelta(days=5)
    return {"class_type_id": str(class_type.id), "location_id": str(studio.default_location_id),
            "coach_id": "0", "day": day.isoformat(), "start_time": "18:00",
            "duration_minutes": "", "capacity": "20", "price": "", **overrides}


def classes_of(studio) -> list[ScheduledClass]:
    return list(db.session.scalars(select(ScheduledClass).where(
        ScheduledClass.studio_id == studio.id)))


def plans_of(studio) -> int:
    return db.session.scalar(select(func.count()).select_from(Plan)
                             .where(Plan.studio_id == studio.id))


def test_a_class_that_accepts_one_plan_refuses_a_pass_of_another(
        client, admin, studio, customer, shopper):
    ct = ClassTypeFactory(studio=studio)
    gold = PlanFactory(studio=studio, name={"en": "Gold pack"})
    basic = PlanFactory(studio=studio, name={"en": "Basic pack"})
    form = Page(client.get(f"/manage/{studio.slug}/classes/new?lang=en"))
    assert "Plans accepted" in form.text() and "Gold pack" in form.text()

    made = client.post(f"/manage/{studio.slug}/classes/new",
                       data={**event_form(studio, ct), "plan_ids": [str(gold.id)]})
    assert made.status_code == 303
    (cls,) = classes_of(studio)
    assert cls.plan_ids == [gold.id]

    grant_pass(studio, basic, customer)
    db.session.commit()
    page = Page(shopper.get(f"/s/{studio.slug}/classes/{cls.id}?lang=en"))
    assert "Choose a pass to book" in page.text()
    refused = shopper.post(f"/s/{studio.slug}/classes/{cls.id}/book")
    assert refused.status_code in (303, 409)
    assert db.session.scalar(select(func.count()).select_from(Booking).where(
        Booking.class_id == cls.id)) == 0
    offered = Page(shopper.get(f"/s/{studio.slug}/plans?class_id={cls.id}&lang=en")).text()
    assert "Gold pack" in offered and "Basic pack" not in offered

    grant_pass(studio, gold, customer)
    db.session.commit()
    booked = shopper.post(f"/s/{studio.slug}/classes/{cls.id}/book")
    assert booked.status_code == 303
    assert db.session.scalar(select(Booking.status).where(
        Booking.class_id == cls.id, Booking.customer_id == customer.id)) == BookingStatus.CONFIRMED


def test_a_priced_event_is_bought_by_card_and_booked_with_its_tax_invoiced(
        client, admin, studio, customer, shopper, fake, jobs):
    ct = ClassTypeFactory(studio=studio, name={"en": "Breathwork workshop", "ar": "ورشة تنفس"})
    PlanFactory(studio=studio, name={"en": "Any class pack"})
    made = client.post(f"/manage/{studio.slug}/classes/new",
                       data=event_form(studio, ct, price="50.00"))
    assert made.status_code == 303
    (cls,) = classes_of(studio)
    ticket = db.session.scalar(select(Plan).where(Plan.event_class_id == cls.id))
    assert (ticket.kind, ticket.price_minor, ticket.credits) == (PlanKind.DROP_IN, 5000, 1)
    assert ticket.name["en"].startswith("Breathwork workshop") and cls.plan_ids == [ticket.id]
    audit = db.session.scalar(select(AuditEvent).where(
        AuditEvent.studio_id == studio.id, AuditEvent.action == "schedule.event_created"))
    assert audit.actor_id == admin.id and audit.data["price_minor"] == 5000

    page = Page(shopper.get(f"/s/{studio.slug}/classes/{cls.id}?lang=en"))
    assert "Price" in page.text(".facts") and "50.00" in page.text(".facts")
    offered = Page(shopper.get(f"/s/{studio.slug}/plans?class_id={cls.id}&lang=en")).text()
    assert "Breathwork workshop" in offered and "Any class pack" not in offered
    # The ticket is offered with its event only.
    other = ClassFactory(studio=studio, class_type_id=ct.id)
    db.session.commit()
    elsewhere = Page(shopper.get(f"/s/{studio.slug}/plans?class_id={other.id}&lang=en")).text()
    assert "Breathwork workshop ·" not in elsewhere and "Any class pack" in elsewhere

    answer = shopper.post(f"/s/{studio.slug}/plans/{ticket.id}/checkout",
                          data={"idempotency_key": "event-1", "class_id": cls.id})
    assert answer.status_code == 303
    order = db.session.scalar(select(Order).where(Order.customer_id == customer.id))
    session = fake.complete(order.stripe_checkout_session_id)
    deliver(shopper, studio, fake.event("checkout.session.completed", session))
    apply_queued(shopper.application)

    db.session.expire_all()
    assert order.status == OrderStatus.PAID
    booking = db.session.scalar(select(Booking).where(Booking.customer_id == customer.id))
    assert booking.class_id == cls.id and booking.status == BookingStatus.CONFIRMED
    invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    assert invoice.gross_minor == 5650  # 50.00 and Ontario's 13 % HST
    assert (order.net_minor, order.tax_minor) == (5000, 650)

    # The ticket's credit is spent, and it never pays for another class of the type.
    assert pass_of(order) is not None
    refused = shopper.post(f"/s/{studio.slug}/classes/{other.id}/book")
    assert refused.status_code in (303, 409)
    assert db.session.scalar(select(func.count()).select_from(Booking).where(
        Booking.class_id == other.id)) == 0


@pytest.mark.parametrize("overrides, message", [
    ({"price": "fifty"}, "Enter the amount as a number"),
    ({"price": "0"}, "A price must be more than zero."),
    ({"plan_ids": "{foreign}"}, "is not a valid choice"),
])
def test_bad_event_is_422_and_writes_nothing(client, admin, studio, overrides, message):
    ct = ClassTypeFactory(studio=studio)
    PlanFactory(studio=studio)
    foreign = PlanFactory(studio=StudioFactory())
    data = event_form(studio, ct, **{k: v.format(foreign=foreign.id)
                                     for k, v in overrides.items()})
    before = plans_of(studio)
    response = client.post(f"/manage/{studio.slug}/classes/new?lang=en", data=data)
    assert response.status_code == 422
    assert any(message in e.text for e in Page(response).all(".field-error"))
    assert classes_of(studio) == [] and plans_of(studio) == before


def test_bad_price_is_told_in_arabic(client, admin, studio):
    ct = ClassTypeFactory(studio=studio)
    response = client.post(f"/manage/{studio.slug}/classes/new?lang=ar",
                           data=event_form(studio, ct, price="0"))
    assert response.status_code == 422
    page = Page(response)
    assert page.one("html").get("dir") == "rtl"
    assert page.text(".field-error") == "يجب أن يكون السعر أكبر من صفر."
