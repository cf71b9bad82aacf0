"""Installable: a manifest per language, a service worker for the whole site, an offline page
in each language."""

import json

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _

from tests.pages import Page


@pytest.mark.parametrize("lang, direction", [("ar", "rtl"), ("en", "ltr")])
def test_manifest_per_language(client, app, lang, direction):
    response = client.get(f"/manifest.{lang}.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    data = json.loads(response.data)
    with app.test_request_context(), force_locale(lang):
        assert data["name"] == _("FitFlow")
    assert (data["lang"], data["dir"], data["display"]) == (lang, direction, "standalone")
    assert data["start_url"] == f"/?lang={lang}" and data["icons"]


def test_pages_link_the_manifest_of_their_language(client):
    page = Page(client.get("/?lang=ar"))
    assert page.one("link[rel=manifest]").get("href") == "/manifest.ar.webmanifest"


def test_service_worker_covers_the_whole_site(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert b"/offline/ar" in response.data and b"/offline/en" in response.data


@pytest.mark.parametrize("lang, direction", [("ar", "rtl"), ("en", "ltr")])
def test_offline_page_in_each_language(client, app, lang, direction):
    page = Page(client.get(f"/offline/{lang}"))
    assert page.one("html").get("dir") == direction
    with app.test_request_context(), force_locale(lang):
        assert _("You are offline") in page.text("h1")
    assert client.get("/offline/xx").status_code == 404


def test_pages_name_their_session_for_the_service_worker(app, client):
    """The marker the service worker keeps coach pages under: nobody's when signed out, one per
    sign-in (the same on each page of it), another for the next sign-in."""
    from tests.conftest import login
    from tests.factories import UserFactory

    def marker():
        response = client.get("/")
        meta = Page(response).one("meta[name=fitflow-session]").get("content")
        assert response.headers["X-FitFlow-Session"] == meta
        return meta

    person = UserFactory()
    assert marker() == "anon"
    login(client, person)
    first = marker()
    assert first != "anon" and marker() == first
    client.post("/logout")
    assert marker() == "anon"
    login(client, person)
    assert marker() not in ("anon", first)
