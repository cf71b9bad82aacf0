"""Starting a studio at /start: the country sets taxes, currency and the week; the person who
starts it owns it and lands in its console with a checklist that ticks itself."""

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.studios.models import Role, StaffRole, Studio
from tests.conftest import login
from tests.factories import ClassTypeFactory, StudioFactory, UserFactory
from tests.pages import Page

RIYADH = {"name_ar": "نادي الرياض", "name_en": "Riyadh Strong", "slug": "",
          "country": "SA", "province": "", "location_name_ar": "العليا",
          "location_name_en": "Olaya", "address": "Olaya St", "timezone": "",
          "default_language": "ar"}


def studio_count(person) -> int:
    """Studios `person` runs (studios other tests committed are not theirs)."""
    return db.session.scalar(select(func.count()).select_from(StaffRole)
                             .where(StaffRole.user_id == person.id))


@pytest.fixture
def person(client):
    user = UserFactory()
    login(client, user)
    return user


def test_a_visitor_is_asked_to_sign_up_first_and_comes_back(client):
    response = client.get("/start")
    assert response.status_code == 303
    assert response.location.startswith("/signup?next=/start")


def test_a_saudi_studio_sells_in_riyals_under_vat_and_its_week_starts_on_sunday(client, person):
    response = client.post("/start?lang=ar", data=RIYADH)
    assert response.status_code == 303
    studio = db.session.scalar(select(Studio).where(Studio.slug == "riyadh-strong"))
    assert response.location == "/manage/riyadh-strong/"
    location = studio.default_location
    assert (location.currency, location.tax_jurisdiction, location.timezone) == (
        "SAR", "SA", "Asia/Riyadh")
    assert (studio.first_weekday, studio.default_language, studio.invoice_language) == (
        7, "ar", "ar+en")
    assert studio.name == {"ar": "نادي الرياض", "en": "Riyadh Strong"}
    role = db.session.scalar(select(StaffRole.role).where(StaffRole.studio_id == studio.id,
                                                          StaffRole.user_id == person.id))
    assert role == Role.OWNER
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.studio_id == studio.id)) == "studio.started"


def test_the_console_opens_on_a_checklist_that_ticks_itself(client, person):
    client.post("/start", data=RIYADH)
    studio = db.session.scalar(select(Studio).where(Studio.slug == "riyadh-strong"))
    page = Page(client.get("/manage/riyadh-strong/?lang=en"))
    steps = page.all(".checklist .step")
    assert len(steps) == 5 and not page.all(".checklist .step.is-done")
    assert "Add a class type" in page.text(".checklist")

    ClassTypeFactory(studio=studio)
    page = Page(client.get("/manage/riyadh-strong/?lang=ar"))
    done = page.all(".checklist .step.is-done")
    assert len(done) == 1 and "أضف نوع حصة" in page.text(".checklist .step.is-done")


def test_a_canadian_studio_needs_its_province_whose_taxes_apply(client, person):
    data = dict(RIYADH, name_ar="", name_en="Plateau Yoga", country="CA", province="")
    response = client.post("/start?lang=ar", data=data)
    assert response.status_code == 422
    assert "اختر المقاطعة" in Page(response).text("main")
    assert studio_count(person) == 0

    response = client.post("/start", data=dict(data, province="CA-QC", default_language="en"))
    assert response.status_code == 303
    studio = db.session.scalar(select(Studio).where(Studio.slug == "plateau-yoga"))
    location = studio.default_location
    assert (location.currency, location.tax_jurisdiction, location.timezone) == (
        "CAD", "CA-QC", "America/Toronto")
    assert (studio.first_weekday, studio.invoice_language) == (1, "en")


@pytest.mark.parametrize("slug, message", [
    ("taken", "This web address is taken"),
    ("manage", "This web address is taken"),
    ("No Spaces", "Use 3 to 40 lower-case Latin letters"),
    ("-edge", "Use 3 to 40 lower-case Latin letters"),
])
def test_a_web_address_that_is_taken_or_malformed_is_refused_and_nothing_made(
        client, person, slug, message):
    StudioFactory(slug="taken")
    before = studio_count(person)
    assert before == 0
    response = client.post("/start?lang=en", data=dict(RIYADH, slug=slug))
    assert response.status_code == 422
    assert message in Page(response).text("main")
    assert studio_count(person) == before


@pytest.mark.parametrize("change, message", [
    ({"name_ar": "", "name_en": ""}, "أدخل اسم الاستوديو"),
    ({"timezone": "Mars/Olympus"}, "أدخل منطقة زمنية صحيحة"),
    ({"country": "XX"}, "اختيار غير صحيح"),
])
def test_bad_input_is_a_translated_422_that_writes_nothing(client, person, change, message):
    response = client.post("/start?lang=ar", data=dict(RIYADH, **change))
    assert response.status_code == 422
    assert message in Page(response).text("main"), Page(response).text("main")
    assert studio_count(person) == 0


def test_an_arabic_only_name_needs_a_latin_web_address(client, person):
    response = client.post("/start?lang=en", data=dict(RIYADH, name_en=""))
    assert response.status_code == 422
    assert "Choose a web address in Latin letters" in Page(response).text("main")
    response = client.post("/start", data=dict(RIYADH, name_en="", slug="nadi-riyadh"))
    assert response.status_code == 303 and studio_count(person) == 1


def test_the_start_page_suggests_the_address_and_searches_zones_in_arabic(client, person):
    page = Page(client.get("/start?lang=ar"))
    assert page.one("input[data-slug]").get("name") == "slug"
    assert page.one("input#name_en").get("data-slug-source") == "en"
    riyadh = [o for o in page.all("datalist#timezones option") if o.get("value") == "Asia/Riyadh"]
    assert riyadh and "الرياض" in riyadh[0].get("label")
