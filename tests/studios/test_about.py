"""A studio's own page for customers: what it says about itself in the reader's language, how to
reach it, where its (live) locations and rooms are, and its terms; linked from the week."""

from app.core.db import utcnow
from tests.factories import LocationFactory, RoomFactory, StudioFactory
from tests.pages import Page


def _studio():
    studio = StudioFactory(
        about={"en": "A small studio by the park.", "ar": "استوديو صغير بجانب الحديقة."},
        contact_email="hello@palm.example", contact_phone="+966 11 555 0100",
        terms={"en": "Cancel 12 hours ahead."})
    studio.default_location.address = "12 Olaya St"
    RoomFactory(location=studio.default_location, name={"en": "Loft", "ar": "العلية"})
    LocationFactory(studio=studio, name={"en": "Closed branch"}, archived_at=utcnow())
    return studio


def test_the_about_page_says_who_where_and_how_to_reach_the_studio(client):
    studio = _studio()
    page = Page(client.get(f"/s/{studio.slug}/about?lang=en"))
    assert page.text(".studio-about").endswith("A small studio by the park.")
    assert page.one("a[href='tel:+966115550100']") is not None
    assert page.one("a[href='mailto:hello@palm.example']") is not None
    where = page.text(".studio-locations")
    assert "12 Olaya St" in where and "Loft" in where and "Closed branch" not in where
    assert "Cancel 12 hours ahead." in page.text(".studio-terms")
    week = Page(client.get(f"/s/{studio.slug}/schedule?lang=en"))
    assert week.one(f"a[href='/s/{studio.slug}/about']") is not None


def test_the_about_page_speaks_arabic(client):
    studio = _studio()
    page = Page(client.get(f"/s/{studio.slug}/about?lang=ar"))
    assert "استوديو صغير بجانب الحديقة." in page.text(".studio-about")
    assert "العلية" in page.text(".studio-locations")
    assert page.text("#about-title") == "عن الاستوديو"


def test_a_studio_that_wrote_nothing_shows_its_locations_only(client):
    studio = StudioFactory()
    page = Page(client.get(f"/s/{studio.slug}/about?lang=en"))
    assert page.all(".studio-about") == [] and page.all(".studio-contact") == []
    assert page.all(".studio-locations li")


def test_an_unknown_studio_s_about_page_is_404(client):
    assert client.get("/s/no-such-studio/about").status_code == 404
