"""The desk books a 1:1 session for a customer from their page: a coach, a session type and one
of the coach's free slots, paid with a credit of their pass, owed at the desk or paid there;
through the customer's own booking (its coach lock and slot checks), audited."""

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from app.appointments import services
from app.appointments.models import Appointment
from app.appointments.slots import free_slots
from app.audit.models import AuditEvent
from app.billing.models import OrderStatus
from app.billing.services.sessions import session_order
from app.core.db import utcnow
from app.extensions import db
from app.memberships.services import balances, grant_pass
from app.schedule.queries import local_today
from app.studios.models import Role
from app.studios.services import ensure_customer
from tests.appointments.helpers import coach_with_hours, session_type
from tests.conftest import login
from tests.factories import PlanFactory, StudioFactory, UserFactory, staff
from tests.pages import Page


@pytest.fixture
def s(app, client):
    a, b = StudioFactory(booking_opens_days=14), StudioFactory()
    desk = staff(a, Role.FRONT_DESK)
    login(client, desk)
    coach = coach_with_hours(a, starts=time(7), ends=time(10))
    pack = PlanFactory(studio=a, credits=5, name={"en": "PT pack", "ar": "باقة تدريب"})
    st = session_type(a, price=6000)
    st.plan_ids = [pack.id]
    sara, nour = UserFactory(name="Sara"), UserFactory(name="Nour")
    ensure_customer(a, sara)
    ensure_customer(b, nour)
    day = local_today(a.timezone) + timedelta(days=2)
    slot = free_slots(a, coach, st, day, day, utcnow())[0]
    db.session.flush()
    return dict(a=a, b=b, desk=desk, coach=coach, pack=pack, st=st, sara=sara, nour=nour,
                slot=slot, their_coach=coach_with_hours(b))


def post(client, s, who=None, **data):
    form = {"coach_id": s["coach"].id, "type_id": s["st"].id,
            "slot": s["slot"].starts_at.isoformat(), "pay_by": "credit", "paid_by": "", **data}
    return client.post(f"/manage/{s['a'].slug}/desk/customers/{(who or s['sara']).id}/sessions",
                       data=form)


def sessions_of(customer):
    return db.session.scalars(select(Appointment).where(
        Appointment.customer_id == customer.id)).all()


def test_the_page_shows_the_coachs_free_times_and_the_customer_page_links_it(client, s):
    page = Page(client.get(f"/manage/{s['a'].slug}/customers/{s['sara'].id}"))
    link = f"/desk/customers/{s['sara'].id}/sessions"
    assert page.all(f".customer-sessions a[href$='{link}']")
    page = Page(client.get(f"/manage/{s['a'].slug}/desk/customers/{s['sara'].id}/sessions",
                           query_string={"coach_id": s["coach"].id, "day": str(
                               local_today(s["a"].timezone) + timedelta(days=2))}))
    slots = [i.get("value") for i in page.all("#session-book input[name=slot]")]
    assert s["slot"].starts_at.isoformat() in slots
    assert len(slots) == 9  # 07:00 to 09:00 every 15 minutes, an hour each, hours 07-10


def test_booked_with_their_credit_takes_one_and_is_audited(client, s):
    pass_ = grant_pass(s["a"], s["pack"], s["sara"])
    response = post(client, s)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/customers/{s['sara'].id}")
    [appt] = sessions_of(s["sara"])
    assert appt.booked_by_id == s["desk"].id and appt.coach_id == s["coach"].id
    assert balances([pass_.id])[pass_.id] == 4 and session_order(appt) is None
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "appointment.booked_for", AuditEvent.studio_id == s["a"].id))
    assert event.actor_id == s["desk"].id and event.data["customer_id"] == s["sara"].id


def test_owed_at_the_desk_is_an_order_awaiting_payment(client, s):
    assert post(client, s, pay_by="desk").status_code == 303
    order = session_order(sessions_of(s["sara"])[0])
    assert order.status == OrderStatus.AWAITING_PAYMENT and order.gross_minor >= 6000
    assert order.customer_id == s["sara"].id


def test_paid_at_the_desk_is_recorded_and_the_order_paid(client, s):
    assert post(client, s, pay_by="desk", paid_by="cash").status_code == 303
    order = session_order(sessions_of(s["sara"])[0])
    assert order.status == OrderStatus.PAID and order.paid_minor == order.gross_minor


def test_a_credit_they_do_not_have_is_refused_and_nothing_is_written(client, s):
    response = post(client, s)
    assert response.status_code in (402, 409, 422)
    assert Page(response).all(".alert-error") and sessions_of(s["sara"]) == []


def test_a_slot_taken_meanwhile_is_a_409_that_says_so(client, s):
    other = UserFactory()
    services.book_appointment(s["a"], s["coach"], other, s["st"], s["slot"].starts_at,
                              actor=other, pay_by="desk")
    response = post(client, s, pay_by="desk")
    assert response.status_code == 409
    assert "someone has just booked this time" in Page(response).text(".alert-error")
    assert sessions_of(s["sara"]) == []


@pytest.mark.parametrize("bad", [{"slot": "tomorrow"}, {"slot": ""}, {"pay_by": "gold"},
                                 {"paid_by": "cheque"}])
def test_bad_input_is_a_422_and_nothing_is_written(client, s, bad):
    assert post(client, s, **bad).status_code == 422
    assert sessions_of(s["sara"]) == []


def test_another_studios_customer_or_coach_is_a_404(client, s):
    assert post(client, s, who=s["nour"]).status_code == 404
    assert post(client, s, coach_id=s["their_coach"].id).status_code == 404
    assert client.get(f"/manage/{s['a'].slug}/desk/customers/{s['nour'].id}/sessions"
                      ).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Appointment).where(
        Appointment.studio_id == s["a"].id)) == 0


def test_in_arabic(client, s):
    client.get("/?lang=ar")
    page = Page(client.get(f"/manage/{s['a'].slug}/desk/customers/{s['sara'].id}/sessions"))
    assert "جلسة فردية" in page.text("h1")
    other = UserFactory()
    services.book_appointment(s["a"], s["coach"], other, s["st"], s["slot"].starts_at,
                              actor=other, pay_by="desk")
    response = post(client, s, pay_by="desk")
    assert response.status_code == 409 and "Sorry" not in Page(response).text(".alert-error")
