"""The profile's time zone: a searchable list of zones named by city in the page's language,
checked against the IANA database, the browser's zone suggested when the profile has none."""

import pytest

from app.extensions import db
from tests.conftest import login
from tests.factories import UserFactory
from tests.pages import Page


@pytest.fixture
def signed_in(client):
    user = UserFactory(timezone=None)
    login(client, user)
    return client, user


@pytest.mark.parametrize("lang, city", [("en", "Riyadh"), ("ar", "الرياض")])
def test_zones_are_listed_by_translated_city(signed_in, lang, city):
    client, _user = signed_in
    page = Page(client.get(f"/me/profile?lang={lang}"))
    field = page.one("input[name=timezone]")
    assert field.get("list") == "timezones" and field.get("data-browser-zone") is not None
    options = {o.get("value"): o.get("label") for o in page.all("datalist#timezones option")}
    assert city in options["Asia/Riyadh"]
    assert "America/Toronto" in options and "US/Eastern" not in options
    scripts = [s.get("src") for s in page.all("script")]
    assert any(src and "/js/timezone.js" in src for src in scripts)


@pytest.mark.parametrize("lang, message", [("en", "Enter a valid time zone"),
                                           ("ar", "أدخل منطقة زمنية صحيحة")])
def test_an_unknown_zone_is_refused_with_a_message(signed_in, lang, message):
    client, _user = signed_in
    response = client.post(f"/me/profile?lang={lang}",
                           data={"name": "Nora", "timezone": "Mars/Olympus"})
    assert response.status_code == 422
    assert message in Page(response).text(".field-error")


def test_a_listed_zone_is_saved(signed_in):
    client, user = signed_in
    response = client.post("/me/profile", data={"name": "Nora", "timezone": "Asia/Riyadh"})
    assert response.status_code == 303
    db.session.refresh(user)
    assert user.timezone == "Asia/Riyadh"
