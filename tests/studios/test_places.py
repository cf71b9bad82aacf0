"""Locations and rooms in the console; what is sold at a location follows its taxes, currency
and address; classes show their location's zone, and say it where it is not the reader's."""

import pytest
from sqlalchemy import func, select

from app.billing.errors import NotSoldHere
from app.billing.models import Invoice, Order
from app.billing.services.orders import place_order
from app.billing.services.payments import record_payment
from app.extensions import db
from app.studios.models import Location, Role, Room
from app.studios.services import add_location, create_studio
from tests.conftest import login
from tests.factories import ClassFactory, ClassTypeFactory, PlanFactory, UserFactory, staff
from tests.pages import Page

NEW_LOCATION = {"name_ar": "الملز", "name_en": "Malaz", "address": "Malaz Rd",
                "timezone": "Asia/Riyadh", "tax_jurisdiction": "SA", "currency": "SAR",
                "tax_numbers": "VAT: 300000000000003"}


@pytest.fixture
def studio(app):
    return create_studio(slug="olaya", name={"en": "Olaya", "ar": "العليا"},
                         location={"name": {"en": "Olaya"}, "timezone": "Asia/Riyadh",
                                   "currency": "SAR", "tax_jurisdiction": "SA"})


@pytest.fixture
def owner(client, studio):
    user = staff(studio, Role.OWNER)
    login(client, user)
    return user


def count(model, studio) -> int:
    return db.session.scalar(select(func.count()).select_from(model)
                             .where(model.studio_id == studio.id))


def test_an_owner_adds_a_location_then_a_room_there(client, studio, owner):
    response = client.post(f"/manage/{studio.slug}/locations", data=NEW_LOCATION)
    assert response.status_code == 303
    malaz = db.session.scalar(select(Location).where(Location.address == "Malaz Rd"))
    assert response.location == f"/manage/{studio.slug}/locations/{malaz.id}"
    assert (malaz.name, malaz.tax_numbers) == (
        {"ar": "الملز", "en": "Malaz"}, [{"label": "VAT", "value": "300000000000003"}])

    response = client.post(f"/manage/{studio.slug}/locations/{malaz.id}/rooms",
                           data={"name_ar": "القاعة الكبرى", "name_en": "", "capacity": "24"})
    assert response.status_code == 303
    page = Page(client.get(f"/manage/{studio.slug}/locations/{malaz.id}?lang=ar"))
    room = db.session.scalar(select(Room).where(Room.location_id == malaz.id))
    assert page.one(f"#room-{room.id}-name_ar").get("value") == "القاعة الكبرى"
    assert page.one(f"#room-{room.id}-capacity").get("value") == "24"
    listing = Page(client.get(f"/manage/{studio.slug}/locations?lang=ar")).text(".place-list")
    assert "الملز" in listing and "قاعة واحدة" in listing


@pytest.mark.parametrize("change, message", [
    ({"timezone": "Asia/Nowhere"}, "أدخل منطقة زمنية صحيحة"),
    ({"name_ar": "", "name_en": ""}, "أدخل اسم الموقع"),
    ({"tax_numbers": "no colon here"}, "في كل سطر"),
    ({"currency": "EUR"}, "اختيار غير صحيح"),
])
def test_a_bad_location_is_a_translated_422_that_writes_nothing(client, studio, owner, change,
                                                                 message):
    response = client.post(f"/manage/{studio.slug}/locations?lang=ar",
                           data=dict(NEW_LOCATION, **change))
    assert response.status_code == 422
    assert message in Page(response).text("main"), Page(response).text("main")
    assert count(Location, studio) == 1


def test_a_bad_room_is_a_422_and_an_edited_room_keeps_its_values(client, studio, owner):
    home = studio.default_location
    url = f"/manage/{studio.slug}/locations/{home.id}/rooms?lang=ar"
    response = client.post(url, data={"name_en": "Hall", "capacity": "0"})
    assert response.status_code == 422 and count(Room, studio) == 0
    client.post(url, data={"name_en": "Hall", "capacity": "12"})
    room = db.session.scalar(select(Room).where(Room.location_id == home.id))

    response = client.post(f"/manage/{studio.slug}/rooms/{room.id}?lang=ar",
                           data={f"room-{room.id}-name_en": "Hall",
                                 f"room-{room.id}-capacity": "abc"})
    assert response.status_code == 422
    db.session.refresh(room)
    assert room.capacity == 12
    response = client.post(f"/manage/{studio.slug}/rooms/{room.id}",
                           data={f"room-{room.id}-name_en": "Big hall",
                                 f"room-{room.id}-capacity": "30"})
    assert response.status_code == 303
    db.session.refresh(room)
    assert (room.name, room.capacity) == ({"en": "Big hall"}, 30)

    assert client.post(f"/manage/{studio.slug}/rooms/{room.id}/archive").status_code == 303
    db.session.refresh(room)
    assert room.archived_at is not None


def test_the_main_location_stays_and_another_one_is_archived(client, studio, owner):
    home = studio.default_location
    response = client.post(f"/manage/{studio.slug}/locations/{home.id}/archive?lang=en")
    assert response.status_code == 303
    db.session.refresh(home)
    assert home.archived_at is None
    flashed = Page(client.get(response.location + "?lang=en")).text(".flashes")
    assert "main location can't be archived" in flashed

    other = add_location(studio, name={"en": "Malaz"}, timezone="Asia/Riyadh", currency="SAR",
                         tax_jurisdiction="SA")
    assert client.post(f"/manage/{studio.slug}/locations/{other.id}/archive").status_code == 303
    db.session.refresh(other)
    assert other.archived_at is not None


# --- what is sold where -------------------------------------------------------------------


@pytest.fixture
def two_provinces(app):
    """Default location in Ontario (HST 13 %), a second one in Quebec (GST 5 % + QST 9.975 %)."""
    studio = create_studio(slug="two-provinces", name={"en": "Two provinces"},
                           prices_include_tax=False, tax_numbers=[{"label": "BN", "value": "1"}],
                           location={"name": {"en": "Toronto"}, "timezone": "America/Toronto",
                                     "currency": "CAD", "tax_jurisdiction": "CA-ON",
                                     "address": "1 King St"})
    montreal = add_location(studio, name={"en": "Montreal"}, timezone="America/Toronto",
                            currency="CAD", tax_jurisdiction="CA-QC", address="2 Rue Ste-Cath",
                            tax_numbers=[{"label": "QST", "value": "1234567890TQ0001"}])
    return studio, montreal


def test_a_drop_in_for_a_class_at_location_b_is_taxed_and_invoiced_as_b(two_provinces):
    studio, montreal = two_provinces
    customer, cashier = UserFactory(), staff(studio, Role.OWNER)
    plan = PlanFactory(studio=studio, currency="CAD", price_minor=2000)
    cls = ClassFactory(studio=studio, location_id=montreal.id)

    order = place_order(studio, plan, customer, actor=customer, booking_class=cls)
    assert order.location_id == montreal.id
    assert [t["code"] for t in order.taxes] == ["GST", "QST"]
    assert (order.net_minor, order.tax_minor) == (2000, 100 + 200)
    record_payment(studio, order, amount_minor=order.gross_minor, method="cash", actor=cashier)
    invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    assert invoice.snapshot["studio"]["address"] == "2 Rue Ste-Cath"
    assert invoice.snapshot["studio"]["tax_numbers"] == [
        {"label": "QST", "value": "1234567890TQ0001"}]

    pack = place_order(studio, plan, customer, actor=customer)  # no class: the default location
    assert pack.location_id == studio.default_location_id
    assert [t["code"] for t in pack.taxes] == ["HST"]


def test_a_plan_priced_in_another_currency_is_not_sold_for_a_class_there(app):
    studio = create_studio(slug="two-countries", name={"en": "Two countries"},
                           location={"name": {"en": "Riyadh"}, "timezone": "Asia/Riyadh",
                                     "currency": "SAR", "tax_jurisdiction": "SA"})
    toronto = add_location(studio, name={"en": "Toronto"}, timezone="America/Toronto",
                           currency="CAD", tax_jurisdiction="CA-ON")
    customer = UserFactory()
    with pytest.raises(NotSoldHere):
        place_order(studio, PlanFactory(studio=studio, currency="SAR"), customer,
                    actor=customer, booking_class=ClassFactory(studio=studio,
                                                               location_id=toronto.id))
    assert count(Order, studio) == 0


def test_each_class_is_shown_in_its_location_s_zone_named_where_it_is_not_the_reader_s(client,
                                                                                      app):
    studio = create_studio(slug="two-zones", name={"en": "Two zones"},
                           location={"name": {"en": "Riyadh"}, "timezone": "Asia/Riyadh",
                                     "currency": "SAR", "tax_jurisdiction": "SA"})
    toronto = add_location(studio, name={"en": "Toronto"}, timezone="America/Toronto",
                           currency="SAR", tax_jurisdiction="SA")
    kind = ClassTypeFactory(studio=studio, name={"en": "Spin"})
    here = ClassFactory(studio=studio, class_type_id=kind.id, hours_ahead=3)
    there = ClassFactory(studio=studio, class_type_id=kind.id, location_id=toronto.id,
                         hours_ahead=5)
    db.session.expire_all()

    page = Page(client.get(f"/s/{studio.slug}/schedule?lang=en"))
    cards = {a.get("href"): a for a in page.all(".class-card h3 a")}
    assert len(cards) == 2
    notes = [n.text for n in page.all(".class-card .zone-note")]
    assert notes == ["Toronto time"]  # the reader (no profile zone) reads in the studio's zone
    detail = Page(client.get(f"/s/{studio.slug}/classes/{there.id}?lang=ar"))
    assert "بتوقيت تورونتو" in detail.text(".zone-note")
    assert not Page(client.get(f"/s/{studio.slug}/classes/{here.id}")).all(".zone-note")

    reader = UserFactory(timezone="America/Toronto")
    login(client, reader)
    detail = Page(client.get(f"/s/{studio.slug}/classes/{here.id}?lang=en"))
    assert "Riyadh time" in detail.text(".zone-note")
    assert not Page(client.get(f"/s/{studio.slug}/classes/{there.id}")).all(".zone-note")
