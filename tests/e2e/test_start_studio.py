"""Starting a studio, in Arabic on a desktop: a new person signs up on the way, starts a
studio, adds a location and a room there, and finds the checklist of first steps."""

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.studios.models import Role, Room, StaffRole, Studio
from tests.e2e.conftest import Texts

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

DESKTOP = {"viewport": {"width": 1366, "height": 900}}


def test_a_new_person_starts_a_studio_adds_a_location_and_a_room_in_arabic(
        new_context, live_app, live_server):
    t = Texts(live_app, "ar")
    suffix = uuid.uuid4().hex[:6]
    context = new_context(locale="ar", **DESKTOP)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))

    page.goto(f"{live_server}/start?lang=ar")  # a visitor: sign up first, then come back
    expect(page.get_by_role("heading", name=t("Create your account"))).to_be_visible()
    page.get_by_label(t("Your name")).fill("هدى")
    page.get_by_label(t("Email")).fill(f"huda-{suffix}@example.com")
    page.get_by_label(t("Password")).fill("palm-club-huda-2026")
    page.get_by_role("button", name=t("Create account"), exact=True).click()
    # A sign-up never signs in (it answers the same for a taken address): sign in, go on.
    # Wait for the sign-in page first, or the fields filled are the sign-up page's.
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label(t("Email")).fill(f"huda-{suffix}@example.com")
    page.get_by_label(t("Password")).fill("palm-club-huda-2026")
    page.get_by_role("button", name=t("Sign in"), exact=True).click()

    expect(page.get_by_role("heading", name=t("Start a studio"))).to_be_visible()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.get_by_label(t("Studio name in Arabic")).fill("نادي النخيل")
    page.get_by_label(t("Studio name in English")).press_sequentially(f"Palm Club {suffix}")
    slug = f"palm-club-{suffix}"
    expect(page.get_by_label(t("Web address"))).to_have_value(slug)  # suggested as typed
    page.get_by_label(t("Country")).select_option("SA")
    page.get_by_label(t("First location's name in Arabic")).fill("النخيل")
    page.get_by_label(t("Time zone")).fill("Asia/Riyadh")
    page.get_by_role("button", name=t("Create the studio")).click()

    checklist = page.locator(".checklist")
    expect(checklist.get_by_role("heading", name=t("Get your studio ready"))).to_be_visible()
    expect(checklist.locator(".step")).to_have_count(5)
    expect(checklist.get_by_role("link", name=t("Add a class type"))).to_be_visible()

    page.get_by_role("link", name=t("Locations"), exact=True).click()
    page.get_by_label(t("Name in Arabic"), exact=True).fill("حي الملقا")
    page.get_by_label(t("Name in English"), exact=True).fill("Al Malqa")
    page.get_by_label(t("Address")).fill("طريق أنس بن مالك")
    page.get_by_role("button", name=t("Add the location")).click()

    expect(page.get_by_role("heading", name="حي الملقا")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/manage/{slug}/locations/\d+"))
    page.get_by_label(t("Room name in Arabic")).fill("قاعة اليوغا")
    page.get_by_label(t("Capacity (people)")).fill("14")
    page.get_by_role("button", name=t("Add the room")).click()
    expect(page.get_by_text(t("Room added."))).to_be_visible()
    expect(page.locator("form.room input[name$='-name_ar']")).to_have_value("قاعة اليوغا")

    page.get_by_role("link", name=t("This week")).click()
    expect(page.locator(".checklist .step")).to_have_count(5)
    assert problems == []

    with live_app.app_context():
        studio = db.session.scalar(select(Studio).where(Studio.slug == slug))
        malqa = studio.locations[1]
        assert (malqa.name["ar"], malqa.timezone, malqa.currency) == (
            "حي الملقا", "Asia/Riyadh", "SAR")
        room = db.session.scalar(select(Room).where(Room.location_id == malqa.id))
        assert (room.name, room.capacity) == ({"ar": "قاعة اليوغا"}, 14)
        assert db.session.scalar(select(StaffRole.role).where(
            StaffRole.studio_id == studio.id)) == Role.OWNER
        db.session.rollback()
    context.close()
