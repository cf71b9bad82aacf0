"""Search engines: a description on every page in the reader's language, the public pages
indexable, the private ones kept out (robots.txt and a meta tag)."""

import pytest

from tests.conftest import login
from tests.factories import ClassFactory, StudioFactory, UserFactory
from tests.pages import Page


def meta(page: Page, name: str) -> str | None:
    found = page.all(f"meta[name={name}]")
    return found[0].get("content") if found else None


def test_robots_txt_keeps_private_areas_out(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    rules = response.get_data(as_text=True).splitlines()
    assert rules[0] == "User-agent: *"
    for private in ("/me/", "/coach/", "/manage/", "/operator/"):
        assert f"Disallow: {private}" in rules
    assert not any(rule.startswith("Disallow: /s/") or rule == "Disallow: /" for rule in rules)


@pytest.mark.parametrize("lang, word", [("en", "classes"), ("ar", "حصص")])
def test_public_pages_have_a_description_in_the_readers_language(client, lang, word):
    studio = StudioFactory(name={"en": "Palm Gym", "ar": "نادي النخلة"}, default_language=lang)
    cls = ClassFactory(studio=studio)
    for url in (f"/s/{studio.slug}/schedule", f"/s/{studio.slug}/classes/{cls.id}", "/"):
        page = Page(client.get(f"{url}?lang={lang}"))
        assert meta(page, "robots") is None, url
        assert meta(page, "description"), url
    week = Page(client.get(f"/s/{studio.slug}/schedule?lang={lang}"))
    assert word in meta(week, "description")
    assert ("Palm Gym" if lang == "en" else "نادي النخلة") in meta(week, "description")


def test_private_pages_say_noindex(client):
    login(client, UserFactory())
    page = Page(client.get("/me/bookings"))
    assert meta(page, "robots") == "noindex, nofollow"
