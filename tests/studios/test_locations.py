"""Where a studio is: the services that create studios and locations name the default location,
and every page about the studio as a whole speaks in its currency, zone and jurisdiction, even
when it is not the studio's first location."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.billing.models import Order
from app.billing.services.orders import place_order
from app.bookings import services as bookings
from app.core.errors import InvalidInput
from app.extensions import db
from app.memberships.models import Plan
from app.memberships.services import grant_pass
from app.studios.models import Role
from app.studios.services import add_location, create_studio, set_default_location
from tests.conftest import login
from tests.factories import ClassFactory, PlanFactory, StudioFactory, UserFactory, staff
from tests.pages import Page

HARBOUR = {"name": {"en": "Harbour", "ar": "الميناء"}, "timezone": "America/Toronto",
           "currency": "CAD", "tax_jurisdiction": "CA-ON"}
OLAYA = {"name": {"en": "Olaya", "ar": "العليا"}, "timezone": "Asia/Riyadh", "currency": "SAR",
         "tax_jurisdiction": "SA"}


def test_a_new_studio_s_first_location_is_its_default_and_stays_so(app):
    studio = create_studio(slug="two-sites", name={"en": "Two sites"}, location=HARBOUR)
    harbour = studio.default_location
    olaya = add_location(studio, **OLAYA)

    assert studio.default_location_id == harbour.id and harbour.name["en"] == "Harbour"
    assert [loc.id for loc in studio.locations] == [harbour.id, olaya.id]
    assert (studio.timezone, studio.currency) == ("America/Toronto", "CAD")


def test_another_studio_s_location_cannot_be_the_default(app):
    studio, other = StudioFactory(), StudioFactory()
    with pytest.raises(InvalidInput):
        set_default_location(studio, other.default_location)
    assert studio.default_location_id != other.default_location_id


@pytest.fixture
def studio(app):
    """First location Harbour (Toronto, CAD, Ontario), default location Olaya (Riyadh, SAR)."""
    studio = create_studio(slug="olaya-first", name={"en": "Olaya Fit"}, prices_include_tax=True,
                           late_cancel_fee_minor=5000, location=HARBOUR)
    set_default_location(studio, add_location(studio, **OLAYA))
    db.session.expire_all()  # the pages load it as a request does
    return studio


@pytest.fixture
def admin(client, studio):
    user = staff(studio, Role.OWNER)
    login(client, user)
    return user


def test_the_default_location_speaks_for_the_studio_not_its_first(studio):
    harbour, _olaya = studio.locations  # by id: Harbour came first
    assert harbour.name["en"] == "Harbour"
    assert (studio.default_location.name["en"], studio.timezone, studio.currency) == (
        "Olaya", "Asia/Riyadh", "SAR")


def test_money_settings_show_the_default_location_s_jurisdiction(client, studio, admin):
    page = Page(client.get(f"/manage/{studio.slug}/settings/money?lang=en"))
    assert page.one("#tax_jurisdiction option[selected]").get("value") == "SA"
    assert "Where Olaya is" in page.text("main")


def test_a_new_plan_and_an_order_are_in_the_default_location_s_currency_and_taxes(
        client, studio, admin):
    response = client.post(f"/manage/{studio.slug}/plans", data={
        "kind": "class_pack", "name_en": "10 classes", "name_ar": "", "description_en": "",
        "price": "115.00", "credits": "10", "validity_days": "90", "validity_start": "purchase",
        "period": "", "classes_per_week": "", "active": "y"})
    assert response.status_code == 303
    plan = db.session.scalar(select(Plan).where(Plan.studio_id == studio.id))
    assert (plan.price_minor, plan.currency) == (11500, "SAR")

    customer = UserFactory()
    order = place_order(studio, plan, customer, actor=customer)
    assert [(t["code"], t["rate"]) for t in order.taxes] == [("VAT", "15")]
    assert (order.net_minor, order.tax_minor) == (10000, 1500)


def test_the_order_page_shows_times_in_the_default_location_s_zone(client, studio, admin):
    customer = UserFactory()
    order = place_order(studio, PlanFactory(studio=studio, currency="SAR"), customer,
                        actor=customer)
    order.created_at = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)  # 15:00 in Riyadh, 07:00 Toronto
    db.session.flush()
    header = Page(client.get(f"/manage/{studio.slug}/orders/{order.id}?lang=en")).text(
        "main p.subtle")
    assert "3:00\u202fPM" in header or "3:00 PM" in header, header


def test_a_late_cancel_fee_at_the_first_location_is_in_the_studio_s_currency(studio, ctx):
    harbour, _olaya = studio.locations
    customer = UserFactory()
    grant_pass(studio, PlanFactory(studio=studio, currency="SAR"), customer)
    cls = ClassFactory(studio=studio, location_id=harbour.id, hours_ahead=2)
    booking = bookings.book_class(studio, cls, customer, actor=customer)

    told = bookings.cancel_consequence(studio, booking, cls.starts_at).message
    bookings.cancel_booking(studio, booking, actor=customer)

    assert "SAR" in told
    fee = db.session.scalar(select(Order).where(Order.fee_booking_id == booking.id))
    assert (fee.currency, fee.gross_minor, fee.taxes[0]["code"]) == ("SAR", 5000, "VAT")
