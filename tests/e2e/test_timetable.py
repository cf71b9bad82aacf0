"""Staff keep the timetable: in Arabic, an admin gives one class a substitute coach, and the
customer booked in it gets the e-mail (the dev mailbox the live app writes to)."""

import uuid

import pytest
from flask_babel import force_locale, ngettext
from playwright.sync_api import expect
from sqlalchemy import select

from app.bookings import services as booking_services
from app.core.mail import read_mailbox
from app.extensions import db
from app.schedule.models import ScheduledClass
from app.studios.models import Role, Studio
from tests.e2e.conftest import Texts, sign_in
from tests.factories import UserFactory, staff

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}


def test_admin_substitutes_the_coach_and_the_booked_customer_is_emailed(
        new_context, live_app, live_server, scenario, artifacts_dir):
    t = Texts(live_app, "ar")
    tag = uuid.uuid4().hex[:6]
    with live_app.app_context():
        studio = db.session.scalar(select(Studio).where(Studio.slug == scenario.studio_slug))
        admin = staff(studio, Role.STUDIO_ADMIN, email=f"admin-{tag}@example.com")
        coach = staff(studio, Role.TRAINER, name=f"مها {tag}")
        staff(studio, Role.TRAINER, name=f"ليلى {tag}")  # the substitute
        cls = db.session.get(ScheduledClass, scenario.open_class_id)
        cls.coach_id = coach.id
        customer = UserFactory(email=f"booked-{tag}@example.com", locale="ar")
        booking_services.book_class(studio, cls, customer, actor=customer)
        db.session.commit()
        admin_email, customer_email = admin.email, customer.email

    context = new_context(locale="ar", **TABLET)
    page = context.new_page()
    sign_in(page, live_server, t, "ar", admin_email)
    page.goto(f"{live_server}/manage/{scenario.studio_slug}/classes/{scenario.open_class_id}")
    page.get_by_role("link", name=t("Edit class")).tap()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.get_by_label(t("Coach")).select_option(label=f"ليلى {tag}")
    page.screenshot(path=artifacts_dir / "timetable-substitute-ar.png", full_page=True)
    page.get_by_role("button", name=t("Save the class")).tap()

    with live_app.test_request_context(), force_locale("ar"):
        told = ngettext("%(num)s booked customer told.", "%(num)s booked customers told.", 1)
    expect(page.locator(".flashes")).to_contain_text(told)
    expect(page.locator(".page-head")).to_contain_text(f"ليلى {tag}")
    page.screenshot(path=artifacts_dir / "timetable-substituted-ar.png", full_page=True)
    context.close()

    with live_app.app_context():
        mail = [m for m in read_mailbox(limit=200) if m["To"] == customer_email
                and m["Subject"] == t("Your class has changed")]
        assert len(mail) == 1
        body = mail[0].get_body(("plain",)).get_content()
        assert f"ليلى {tag}" in body and f"مها {tag}" not in body
