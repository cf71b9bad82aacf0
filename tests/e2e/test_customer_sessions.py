"""A customer on a phone finds a coach from the schedule, picks a 1:1 slot without anything cut
off at 390 px, and gets the browser's time zone suggested on their profile."""

import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.studios.models import Studio
from tests.appointments.helpers import coach_with_hours, session_type
from tests.e2e.conftest import PHONE, Texts
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture
def coach_id(live_app) -> int:
    with live_app.app_context():
        studio = db.session.scalar(select(Studio).where(Studio.slug == "e2e"))
        coach = coach_with_hours(studio)
        session_type(studio, price=30000)
        db.session.commit()
        return coach.id


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_from_the_schedule_to_a_coachs_slots_on_a_phone(new_context, live_app, live_server,
                                                         coach_id, artifacts_dir, lang):
    t = Texts(live_app, lang)
    page = new_context(locale=lang, **PHONE).new_page()
    page.goto(f"{live_server}/s/e2e/schedule?lang={lang}")
    page.get_by_role("link", name=t("Coaches and 1:1 sessions")).tap()
    expect(page).to_have_url(f"{live_server}/s/e2e/coaches")
    page.locator(f"a[href^='/s/e2e/coaches/{coach_id}/sessions']").first.tap()
    expect(page.locator("#slot-list select[name=type]")).to_be_visible()
    page.screenshot(path=artifacts_dir / f"slot-picker-{lang}.png", full_page=True)
    # Nothing wider than the phone, and each select as wide as the content column.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for name in ("type", "day"):
        box = page.locator(f"#slot-list select[name={name}]").bounding_box()
        assert box["width"] >= 300, (name, box)


def test_the_profile_suggests_the_browsers_time_zone(new_context, live_app, live_server):
    with live_app.app_context():
        user = UserFactory(email=f"tz-{uuid.uuid4().hex[:8]}@example.com", timezone=None)
        db.session.commit()
        email = user.email
    page = new_context(locale="en", timezone_id="America/Toronto", **PHONE).new_page()
    page.goto(f"{live_server}/login?next=/me/profile")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("secret-pass")
    page.get_by_role("button", name="Sign in", exact=True).tap()
    expect(page.locator("input[name=timezone]")).to_have_value("America/Toronto")
