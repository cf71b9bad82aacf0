"""Starting a studio, in Arabic on a desktop: a new person signs up on the way, starts a
studio, adds a location and a room there, finds the checklist of first steps, invites a coach
(who accepts the e-mailed link in a browser of her own), adds a class type and a weekly series
the coach teaches; a customer then books a class of it on a phone."""

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.bookings.models import Booking, BookingStatus
from app.core.db import utcnow
from app.core.mail import read_mailbox
from app.extensions import db
from app.schedule.models import ScheduledClass, Series
from app.studios.models import Role, Room, StaffRole, Studio
from tests.e2e.conftest import PHONE, Texts, sign_in
from tests.factories import UserFactory

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

    with live_app.app_context():  # the coach and the customer have accounts already
        coach = UserFactory(email=f"coach-{suffix}@example.com", name=f"ريم {suffix}",
                            locale="ar")
        customer = UserFactory(email=f"member-{suffix}@example.com", locale="ar")
        db.session.commit()
        coach_email, customer_email, coach_user_id = coach.email, customer.email, coach.id

    page.goto(f"{live_server}/manage/{slug}/staff")
    invite = page.get_by_role("region", name=t("Invite someone"))
    invite.get_by_label(t("Email")).fill(coach_email)
    invite.get_by_label(t("Role")).select_option(Role.TRAINER.value)
    invite.get_by_role("button", name=t("Send the invitation")).click()
    expect(page.locator(".flashes")).to_contain_text(coach_email)
    with live_app.app_context():
        [invitation] = [m for m in read_mailbox(limit=200) if m["To"] == coach_email]
        link = re.search(r"https?://\S+/invitations/\S+",
                         invitation.get_body(("plain",)).get_content()).group(0)
    coach_context = new_context(locale="ar", viewport={"width": 1024, "height": 768},
                                has_touch=True)  # her own browser: a tablet
    coach_page = coach_context.new_page()
    sign_in(coach_page, live_server, t, "ar", coach_email)
    coach_page.goto(link.replace("http://localhost:5000", live_server))
    coach_page.get_by_role("button", name=t("Accept the invitation")).click()
    expect(coach_page.locator(".flashes")).to_contain_text(t("Welcome to the team."))
    coach_context.close()

    page.goto(f"{live_server}/manage/{slug}/class-types")
    page.get_by_label(t("Name (Arabic)"), exact=True).fill("يوغا الصباح")
    page.get_by_label(t("Name (English)"), exact=True).fill("Morning yoga")
    page.get_by_role("button", name=t("Save")).click()
    expect(page.locator(".flashes")).to_contain_text(t("Class type saved."))
    page.goto(f"{live_server}/manage/{slug}/series")
    form = page.locator("form", has=page.get_by_role("button", name=t("Create the classes")))
    form.get_by_label(t("Class type")).select_option(label="يوغا الصباح")
    form.get_by_label(t("Location")).select_option(label="حي الملقا")
    form.get_by_label(t("Coach")).select_option(label=f"ريم {suffix}")  # she has joined
    for day in form.locator("input[name=weekdays]").all():  # every day: one is tomorrow
        day.check()
    form.get_by_label(t("Start time")).fill("07:30")
    form.get_by_label(t("Capacity")).fill("8")
    form.get_by_role("button", name=t("Create the classes")).click()
    expect(page.locator("tbody tr", has_text="يوغا الصباح")).to_contain_text(f"ريم {suffix}")
    assert problems == []

    with live_app.app_context():
        series = db.session.scalar(select(Series).join(Studio).where(Studio.slug == slug))
        first = db.session.scalar(
            select(ScheduledClass).where(ScheduledClass.series_id == series.id,
                                         ScheduledClass.starts_at > utcnow())
            .order_by(ScheduledClass.starts_at))
        class_id, coach_id = first.id, first.coach_id
        db.session.rollback()
    assert coach_id is not None
    phone = new_context(locale="ar", **PHONE)
    phone_page = phone.new_page()
    sign_in(phone_page, live_server, t, "ar", customer_email)
    phone_page.goto(f"{live_server}/s/{slug}/classes/{class_id}")
    expect(phone_page.get_by_role("heading", level=1)).to_contain_text("يوغا الصباح")
    phone_page.locator(f"#booking-panel-{class_id}").get_by_role(
        "button", name=re.compile(t("Book"))).tap()
    expect(phone_page.locator(f"#booking-panel-{class_id}")).to_contain_text(t("You're booked"))
    phone.close()

    with live_app.app_context():
        studio = db.session.scalar(select(Studio).where(Studio.slug == slug))
        malqa = studio.locations[1]
        assert (malqa.name["ar"], malqa.timezone, malqa.currency) == (
            "حي الملقا", "Asia/Riyadh", "SAR")
        room = db.session.scalar(select(Room).where(Room.location_id == malqa.id))
        assert (room.name, room.capacity) == ({"ar": "قاعة اليوغا"}, 14)
        roles = dict(db.session.execute(select(StaffRole.user_id, StaffRole.role).where(
            StaffRole.studio_id == studio.id)).all())
        assert sorted(roles.values()) == [Role.OWNER, Role.TRAINER]
        assert roles[coach_user_id] == Role.TRAINER == roles[coach_id]
        [booking] = db.session.scalars(select(Booking).where(Booking.class_id == class_id))
        assert (booking.customer.email, booking.status) == (customer_email,
                                                           BookingStatus.CONFIRMED)
        db.session.rollback()
    context.close()
