"""1:1 sessions paid over HTTP: the ways to pay offered, a credit or the desk chosen, a card
payment through Stripe Checkout (the local fake Stripe), the wallet, the console's session type
with its plans and policy; bad input and other studios' ids."""

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from app.appointments.models import Appointment, SessionType
from app.appointments.slots import free_slots
from app.billing.models import Invoice, Order, OrderStatus, PaymentMethod
from app.billing.services.sessions import session_order
from app.core.db import utcnow
from app.extensions import db
from app.memberships.services import balances, grant_pass
from app.schedule.queries import local_today
from app.studios.models import Role
from tests.appointments.helpers import coach_with_hours, session_type
from tests.billing.test_stripe import deliver
from tests.conftest import login
from tests.factories import PlanFactory, StudioFactory, UserFactory, staff
from tests.pages import Page, text_of

HX = {"HX-Request": "true"}
AHEAD = 2  # days ahead of the session booked: out of the cancel cutoff at any hour


@pytest.fixture
def world(studio):
    """The card studio (Ontario, HST 13% on top), a coach, a PT pack and a session type it
    pays for, priced 60.00 too, and the third free slot the day after tomorrow (tomorrow's
    morning is inside the 12-hour cancel cutoff on a Toronto evening)."""
    coach = coach_with_hours(studio, starts=time(6), ends=time(22))
    pack = PlanFactory(studio=studio, credits=5, name={"en": "PT pack", "ar": "باقة تدريب"})
    st = session_type(studio, price=6000)
    st.plan_ids = [pack.id]
    day = local_today("America/Toronto") + timedelta(days=AHEAD)
    slot = free_slots(studio, coach, st, day, day, utcnow())[2]
    db.session.flush()
    return studio, coach, st, pack, slot


def form(st, slot, **more):
    return {"type": st.id, "slot": slot.starts_at.isoformat(), **more}


def url(studio, coach, *, card=False):
    return f"/s/{studio.slug}/coaches/{coach.id}/sessions" + ("/checkout" if card else "")


def test_the_confirm_step_offers_the_ways_to_pay(client, world, customer):
    studio, coach, st, pack, slot = world
    login(client, customer)
    day = local_today("America/Toronto") + timedelta(days=AHEAD)
    chosen = (f"{url(studio, coach)}?type={st.id}&day={day.isoformat()}"
              f"&slot={slot.starts_at.isoformat()}")
    page = Page(client.get(chosen.replace("+", "%2B"), headers=HX))
    assert {b.get("value") for b in page.all("button[name=pay_by]")} == {"desk"}
    assert "Book and pay by card" in page.text()
    grant_pass(studio, pack, customer)
    page = Page(client.get(chosen.replace("+", "%2B"), headers=HX))
    assert {b.get("value") for b in page.all("button[name=pay_by]")} == {"credit", "desk"}


def test_booking_with_a_credit_then_cancelling_in_time_gives_it_back(client, world, customer):
    studio, coach, st, pack, slot = world
    pass_ = grant_pass(studio, pack, customer)
    login(client, customer)
    assert client.post(url(studio, coach), data=form(st, slot, pay_by="credit")).status_code \
        == 303
    appt = db.session.scalar(select(Appointment).where(Appointment.customer_id == customer.id))
    assert balances([pass_.id])[pass_.id] == 4
    done = client.post(f"/s/{studio.slug}/sessions/{appt.id}/cancel?lang=en",
                       follow_redirects=True)
    assert "Cancelled — your credit is back." in done.get_data(as_text=True)
    assert balances([pass_.id])[pass_.id] == 5


def test_booking_at_the_desk_shows_what_is_owed_in_the_wallet(client, world, customer):
    studio, coach, st, pack, slot = world
    login(client, customer)
    assert client.post(url(studio, coach), data=form(st, slot, pay_by="desk")).status_code == 303
    wallet = Page(client.get("/me/wallet?lang=en"))
    (row,) = wallet.all(".owed-row")
    assert "1:1 session: Personal training" in text_of(row)
    assert "$67.80" in text_of(row) and "At the studio" in text_of(row)
    assert wallet.all(".owed-row .owed-when")


@pytest.mark.parametrize("pay_by", ["cash", "card", "x" * 500])
def test_a_way_to_pay_not_offered_is_422_and_books_nothing(client, world, customer, pay_by):
    studio, coach, st, pack, slot = world
    login(client, customer)
    answer = client.post(url(studio, coach), headers=HX, data=form(st, slot, pay_by=pay_by))
    assert answer.status_code == 422
    assert "This way of paying is not offered" in answer.get_data(as_text=True)
    assert db.session.scalar(select(Appointment.id).where(
        Appointment.studio_id == studio.id)) is None  # race tests leave rows of their own


def test_a_pack_only_session_without_a_pass_is_refused_in_arabic_too(client, world):
    studio, coach, st, pack, slot = world
    st.price_minor = 0
    login(client, UserFactory(locale="ar"))
    answer = client.post(url(studio, coach), headers=HX, data=form(st, slot))
    assert answer.status_code == 402
    body = answer.get_data(as_text=True)
    assert "اشترِ أولًا باقة تشملها" in body and "Buy a pack" not in body
    assert db.session.scalar(select(Appointment.id).where(
        Appointment.studio_id == studio.id)) is None  # race tests leave rows of their own


def test_card_checkout_pays_the_session_and_an_in_time_cancel_refunds_it(
        client, world, customer, fake):
    studio, coach, st, pack, slot = world
    login(client, customer)
    answer = client.post(url(studio, coach, card=True), data=form(st, slot))
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("https://checkout.stripe.test/c/pay/cs_test_")
    appt = db.session.scalar(select(Appointment).where(Appointment.customer_id == customer.id))
    order = session_order(appt)
    assert (order.status, order.payment_method_kind, order.gross_minor) == (
        OrderStatus.AWAITING_PAYMENT, "card", 6780)
    (created,) = fake.calls("POST", "/v1/checkout/sessions")
    assert created["params"]["line_items"][0]["price_data"]["unit_amount"] == "6780"
    assert created["params"]["mode"] == "payment"
    wallet = Page(client.get("/me/wallet?lang=en"))
    assert "By card: waiting for the payment" in text_of(wallet.one(".owed-row"))

    event = fake.event("checkout.session.completed",
                       fake.complete(order.stripe_checkout_session_id))
    assert deliver(client, studio, event).status_code == 200
    db.session.expire_all()
    assert order.status == OrderStatus.PAID and appt.status == "booked"
    assert order.payments[0].method == PaymentMethod.STRIPE
    assert db.session.scalar(select(Invoice.gross_minor).where(Invoice.order_id == order.id)) \
        == 6780
    assert Page(client.get("/me/wallet")).all(".owed-row") == []

    client.post(f"/s/{studio.slug}/sessions/{appt.id}/cancel")
    db.session.expire_all()
    assert appt.status == "cancelled" and order.payments[0].refunded_minor == 6780
    assert len(fake.calls("POST", "/v1/refunds")) == 1


def test_another_studios_coach_or_session_type_is_404_by_card(client, world, customer, fake):
    studio, coach, st, pack, slot = world
    other = StudioFactory()
    their_coach = coach_with_hours(other)
    their_type = session_type(other)
    login(client, customer)
    assert client.post(url(studio, their_coach, card=True),
                       data=form(st, slot)).status_code == 404
    assert client.post(url(studio, coach, card=True),
                       data={"type": their_type.id, "slot": slot.starts_at.isoformat()}
                       ).status_code == 404
    assert client.post(url(studio, coach, card=True), data={"type": st.id, "slot": "soon"}
                       ).status_code == 400
    assert db.session.scalar(select(Order.id).where(Order.studio_id == studio.id)) is None


def test_console_sets_the_plans_and_the_late_cancel_policy(client, world):
    studio, coach, st, pack, slot = world
    theirs = PlanFactory(studio=StudioFactory())
    login(client, staff(studio, Role.OWNER))
    page = Page(client.get(f"/manage/{studio.slug}/sessions/types/{st.id}?lang=en"))
    assert {i.get("value") for i in page.all("input[name=plan_ids]")} == {str(pack.id)}
    base = {"name_en": "PT", "duration_minutes": "60", "buffer_minutes": "0", "price": "0",
            "active": "y"}
    edit = f"/manage/{studio.slug}/sessions/types/{st.id}"
    for bad in ({"plan_ids": str(theirs.id)}, {"cancel_cutoff_minutes": "-5"},
                {"cancel_cutoff_minutes": "99999999"}, {"late_cancel_fee": "-1"},
                {"late_cancel_fee": "lots"}):
        assert client.post(edit, data={**base, **bad}).status_code == 422, bad
    db.session.expire_all()
    assert db.session.get(SessionType, st.id).price_minor == 6000  # nothing written
    assert client.post(edit, data={**base, "plan_ids": str(pack.id),
                                   "cancel_cutoff_minutes": "1440",
                                   "late_cancel_fee": "15.00"}).status_code == 303
    db.session.expire_all()
    saved = db.session.get(SessionType, st.id)
    assert (saved.plan_ids, saved.cancel_cutoff_minutes, saved.late_cancel_fee_minor,
            saved.price_minor) == ([pack.id], 1440, 1500, 0)
