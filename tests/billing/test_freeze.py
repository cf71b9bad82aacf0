"""Pausing a membership: within what its plan allows, from the wallet or the console; its end
moves, desk renewals wait, card billing pauses at Stripe, bookings in the pause are refused."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.billing.errors import PaymentServiceUnavailable
from app.billing.models import Order, OrderStatus
from app.billing.services.renewals import renew_due_memberships
from app.bookings.models import Booking
from app.core.db import utcnow
from app.extensions import db
from app.memberships.models import Pass, PassFreeze, Period, PlanKind
from app.schedule.queries import local_start, local_today
from app.studios.models import Role
from tests.billing.test_stripe import card_order, deliver, membership, membership_events, pass_of
from tests.conftest import login
from tests.factories import ClassFactory, StudioFactory, UserFactory, paid_order, staff
from tests.pages import Page

FREEZABLE = dict(kind=PlanKind.MEMBERSHIP, credits=None, validity_days=None, period=Period.MONTH,
                 freeze_allowed=True, freeze_min_days=3, freeze_max_days=14, freezes_per_year=1,
                 freeze_fee_minor=1500)


@pytest.fixture
def desk(app):
    studio = StudioFactory(booking_requires_pass=True)
    customer = UserFactory(locale="en")
    order, _payment, _invoice = paid_order(studio, customer, **FREEZABLE)
    return studio, customer, order, db.session.scalar(select(Pass).where(Pass.order_id == order.id))


def day(n: int):
    return local_today("America/Toronto") + timedelta(days=n)


def freeze(client, pass_, first, last):
    return client.post(f"/me/passes/{pass_.id}/freeze",
                       data={"starts_on": first.isoformat(), "ends_on": last.isoformat()})


def test_a_customer_pauses_their_membership_from_the_wallet(client, desk):
    studio, customer, _order, pass_ = desk
    ends = pass_.expires_at
    login(client, customer)

    response = freeze(client, pass_, day(2), day(8))

    assert response.status_code == 303
    page = Page(client.get(response.headers["Location"]))
    assert "Your membership is paused from" in page.text(".flashes")
    assert "Paused from" in page.text(".freeze-status")
    db.session.expire_all()
    assert pass_.expires_at == ends + timedelta(days=7)
    (row,) = db.session.scalars(select(PassFreeze).where(PassFreeze.pass_id == pass_.id)).all()
    assert (row.starts_on, row.ends_on, row.days, row.paused_at_stripe) == (day(2), day(8), 7,
                                                                             False)
    fee = db.session.get(Order, row.fee_order_id)
    assert (fee.status, fee.unit_minor, fee.customer_id) == (OrderStatus.AWAITING_PAYMENT, 1500,
                                                             customer.id)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "membership.frozen"))
    assert event.subject == f"pass:{pass_.id}" and event.actor_id == customer.id


def test_a_class_in_the_pause_is_refused_with_a_message_and_one_after_is_not(client, desk):
    studio, customer, _order, pass_ = desk
    login(client, customer)
    assert freeze(client, pass_, day(2), day(5)).status_code == 303
    in_pause = ClassFactory(studio=studio, starts_at=local_start(day(3), *_noon()))
    after = ClassFactory(studio=studio, starts_at=local_start(day(6), *_noon()))
    studio.booking_opens_days = 30

    refused = client.post(f"/s/{studio.slug}/classes/{in_pause.id}/book")
    booked = client.post(f"/s/{studio.slug}/classes/{after.id}/book")

    assert refused.status_code in (303, 402)
    followed = Page(client.get(f"/s/{studio.slug}/classes/{in_pause.id}"))
    assert "Your membership is paused until" in (followed.text(".flashes")
                                                 + Page(refused).text("body"))
    assert db.session.scalar(select(func.count()).select_from(Booking)
                             .where(Booking.class_id == in_pause.id)) == 0
    assert booked.status_code in (200, 303)
    assert db.session.scalar(select(func.count()).select_from(Booking)
                             .where(Booking.class_id == after.id)) == 1


def _noon():
    from datetime import time
    return time(12, 0), "America/Toronto"


@pytest.mark.parametrize("first, last, message", [
    (1, 1, "A pause of this membership lasts 3 to 14 days."),
    (1, 20, "A pause of this membership lasts 3 to 14 days."),
    (-2, 3, "A pause starts today or later and ends on or after its first day."),
])
def test_a_pause_outside_the_plan_s_rules_is_422_and_changes_nothing(client, desk, first, last,
                                                                    message):
    studio, customer, _order, pass_ = desk
    ends = pass_.expires_at
    login(client, customer)
    response = freeze(client, pass_, day(first), day(last))
    assert response.status_code == 422
    assert message in Page(response).text(".alert-error")
    db.session.expire_all()
    assert pass_.expires_at == ends and pass_.frozen_from is None
    assert db.session.scalar(select(func.count()).select_from(PassFreeze)) == 0


def test_once_a_year_means_a_second_pause_is_refused(client, desk):
    _studio, customer, _order, pass_ = desk
    login(client, customer)
    assert freeze(client, pass_, day(1), day(4)).status_code == 303
    again = freeze(client, pass_, day(10), day(14))
    assert again.status_code == 422
    assert "This membership already has a pause; one at a time." in Page(again).text(".alert-error")


@pytest.mark.parametrize("data, message", [
    ({"starts_on": "", "ends_on": "2030-01-01"}, "This field is required."),
    ({"starts_on": "soon", "ends_on": "2030-01-01"}, "Not a valid date value."),
    ({"starts_on": "2030-01-05", "ends_on": "2030-01-01"},
     "The last day must not be before the first day."),
])
def test_bad_pause_dates_are_422(client, desk, data, message):
    _studio, customer, _order, pass_ = desk
    login(client, customer)
    response = client.post(f"/me/passes/{pass_.id}/freeze", data=data)
    assert response.status_code == 422
    assert message in [e.text for e in Page(response).all(".field-error")]
    assert db.session.scalar(select(func.count()).select_from(PassFreeze)) == 0


def test_a_plan_without_pausing_refuses_and_someone_else_s_pass_is_a_404(client, app):
    studio = StudioFactory()
    customer, other = UserFactory(), UserFactory()
    order, _p, _i = paid_order(studio, customer, **{**FREEZABLE, "freeze_allowed": False})
    pass_ = db.session.scalar(select(Pass).where(Pass.order_id == order.id))
    login(client, customer)
    assert freeze(client, pass_, day(1), day(5)).status_code == 422
    login(client, other)
    assert freeze(client, pass_, day(1), day(5)).status_code == 404


def test_desk_renewals_wait_for_the_end_of_the_pause(desk):
    _studio, customer, _order, pass_ = desk
    now = utcnow()
    pass_.expires_at = now - timedelta(hours=1)
    pass_.frozen_from, pass_.frozen_until = now - timedelta(days=1), now + timedelta(days=2)
    db.session.flush()
    assert renew_due_memberships(now) == []
    assert len(renew_due_memberships(now + timedelta(days=3))) == 1


def test_staff_pause_a_card_membership_at_stripe(client, studio, customer, fake):
    order = card_order(studio, membership(studio, freeze_allowed=True, freeze_min_days=1,
                                          freeze_max_days=30), customer)
    for event in membership_events(fake, order).values():
        deliver(client, studio, event)
    admin = staff(studio, Role.STUDIO_ADMIN)
    login(client, admin)
    first, last = local_today(studio.timezone) + timedelta(days=1), \
        local_today(studio.timezone) + timedelta(days=10)

    response = client.post(f"/manage/{studio.slug}/orders/{order.id}/freeze",
                           data={"starts_on": first.isoformat(), "ends_on": last.isoformat()})

    assert response.status_code == 303
    (call,) = [c for c in fake.requests if c["path"].startswith("/v1/subscriptions/")]
    assert call["params"]["pause_collection"]["behavior"] == "void"
    db.session.expire_all()
    pass_ = pass_of(order)
    assert int(call["params"]["pause_collection"]["resumes_at"]) == int(
        pass_.frozen_until.timestamp())
    row = db.session.scalar(select(PassFreeze).where(PassFreeze.pass_id == pass_.id))
    assert row.paused_at_stripe and row.actor_id == admin.id


def test_stripe_refusing_the_pause_leaves_everything_as_it_was(client, studio, customer, fake):
    order = card_order(studio, membership(studio, freeze_allowed=True, freeze_min_days=1),
                       customer)
    for event in membership_events(fake, order).values():
        deliver(client, studio, event)
    login(client, customer)
    pass_ = pass_of(order)
    ends = pass_.expires_at
    fake.drop_answers("POST", f"/v1/subscriptions/{fake_sub(fake)}", 5)

    response = freeze(client, pass_, day(1), day(5))

    assert response.status_code == PaymentServiceUnavailable.status
    db.session.expire_all()
    assert pass_of(order).expires_at == ends and pass_of(order).frozen_from is None
    assert db.session.scalar(select(func.count()).select_from(PassFreeze)
                             .where(PassFreeze.pass_id == pass_.id)) == 0


def fake_sub(fake) -> str:
    return next(o["id"] for o in fake.objects.values() if o["object"] == "subscription")


def test_arabic_pause_refusal_is_translated(client, desk):
    _studio, customer, _order, pass_ = desk
    login(client, customer)
    response = client.post(f"/me/passes/{pass_.id}/freeze?lang=ar",
                           data={"starts_on": day(1).isoformat(), "ends_on": day(1).isoformat()})
    assert response.status_code == 422
    text = Page(response).text(".alert-error")
    assert "3" in text and "14" in text and "pause" not in text
