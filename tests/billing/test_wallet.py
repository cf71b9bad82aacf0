"""The wallet names the studio of each pass and of each thing owed, shows booked 1:1 sessions'
prices as owed at the desk, and a customer can hold only the studio's cap of unpaid
pay-at-the-studio orders per plan kind."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.appointments.models import Appointment
from app.billing.models import Order
from app.core.db import utcnow
from app.extensions import db
from app.memberships.models import PlanKind
from app.memberships.services import grant_pass
from tests.appointments.helpers import coach_with_hours, session_type
from tests.conftest import login
from tests.factories import PlanFactory, StudioFactory, UserFactory
from tests.pages import Page

NAME = {"en": "Sunrise Yoga", "ar": "يوغا الشروق"}


@pytest.fixture
def studio(app):
    return StudioFactory(name={"en": "Sunrise Yoga", "ar": "يوغا الشروق"}, default_language="en")


@pytest.fixture
def customer(app):
    return UserFactory(locale="en")


@pytest.fixture
def signed_in(client, customer):
    login(client, customer)
    return client


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_each_pass_says_which_studio_it_belongs_to(signed_in, studio, customer, lang):
    grant_pass(studio, PlanFactory(studio=studio), customer)
    page = Page(signed_in.get(f"/me/wallet?lang={lang}"))
    assert NAME[lang] in page.text("#wallet-list .pass-studio")


@pytest.mark.parametrize("lang, heading", [("en", "To pay at the studio"),
                                           ("ar", "للدفع في الاستوديو")])
def test_a_booked_sessions_price_is_owed_at_the_desk(signed_in, studio, customer, lang, heading):
    coach = coach_with_hours(studio)
    st = session_type(studio, price=6000)
    starts = utcnow().replace(microsecond=0) + timedelta(days=2)
    db.session.add(Appointment(studio_id=studio.id, coach_id=coach.id, customer_id=customer.id,
                               session_type_id=st.id, location_id=studio.default_location_id,
                               starts_at=starts, ends_at=starts + timedelta(hours=1)))
    db.session.flush()
    page = Page(signed_in.get(f"/me/wallet?lang={lang}"))
    assert heading in page.text("#unpaid-title")
    owed = page.text(".unpaid")
    assert "60.00" in owed and NAME[lang] in owed
    assert {"en": "Personal training", "ar": "تدريب شخصي"}[lang] in owed


REFUSED = {"en": "You already have a pass of this kind to pay at the studio.",
           "ar": "لديك بالفعل باقة من هذا النوع للدفع في الاستوديو."}


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_one_unpaid_order_per_plan_kind_per_studio(signed_in, studio, customer, lang):
    pack, other_pack = PlanFactory(studio=studio), PlanFactory(studio=studio)
    drop_in = PlanFactory(studio=studio, kind=PlanKind.DROP_IN, credits=1)
    buy = lambda plan, key: signed_in.post(  # noqa: E731
        f"/s/{studio.slug}/plans/{plan.id}/buy?lang={lang}", data={"idempotency_key": key})
    assert buy(pack, "a").status_code == 303
    refused = buy(other_pack, "b")
    assert refused.status_code == 303
    page = Page(signed_in.get(refused.headers["Location"]))
    assert REFUSED[lang] in page.text(".flashes")
    assert buy(drop_in, "c").status_code == 303  # another kind is fine
    kinds = db.session.scalars(select(Order.plan_id).where(Order.customer_id == customer.id))
    assert set(kinds) == {pack.id, drop_in.id}


def test_the_cap_is_the_studios_setting(studio, customer):
    from app.billing.services.orders import place_order

    studio.unpaid_orders_per_kind = 2
    for _ in range(2):
        place_order(studio, PlanFactory(studio=studio), customer, actor=customer)
    studio.unpaid_orders_per_kind = 0  # no cap
    place_order(studio, PlanFactory(studio=studio), customer, actor=customer)
    assert len(db.session.scalars(select(Order).where(Order.customer_id == customer.id)).all()) == 3


def test_the_console_sets_the_cap(client, studio):
    from app.studios.models import Role
    from tests.factories import staff

    login(client, staff(studio, Role.OWNER))
    response = client.post(f"/manage/{studio.slug}/settings/money", data={
        "invoice_prefix": "INV", "late_cancel_fee": "0", "no_show_fee": "0",
        "unpaid_orders_per_kind": "3"})
    assert response.status_code == 303
    db.session.refresh(studio)
    assert studio.unpaid_orders_per_kind == 3
    page = Page(client.get(f"/manage/{studio.slug}/settings/money?lang=ar"))
    assert page.one("input[name=unpaid_orders_per_kind]").get("value") == "3"
