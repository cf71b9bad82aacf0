"""An owner opens the reports in Chromium: Chart.js draws every chart (no CSP or script error),
and in Arabic the attendance chart reads right to left (its first class type at the right)."""

import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.bookings.models import Booking, BookingStatus
from app.core.db import utcnow
from app.extensions import db
from app.studios.models import Role
from tests.e2e.conftest import Texts, sign_in
from tests.factories import ClassFactory, ClassTypeFactory, StudioFactory, staff

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture
def studio_with_a_week(live_app):
    with live_app.app_context():
        studio = StudioFactory(slug=f"rep-{uuid.uuid4().hex[:6]}",
                               location__timezone="Asia/Riyadh")
        owner = staff(studio, Role.OWNER, email=f"owner-{uuid.uuid4().hex[:6]}@example.com")
        customer = staff(studio, Role.FRONT_DESK)  # any account books
        for n, name in enumerate(({"en": "Yoga", "ar": "يوغا"}, {"en": "Boxing", "ar": "ملاكمة"})):
            ctype = ClassTypeFactory(studio=studio, name=name)
            cls = ClassFactory(studio=studio, class_type_id=ctype.id, hours_ahead=-48 - n)
            db.session.add(Booking(studio_id=studio.id, class_id=cls.id,
                                   customer_id=customer.id, status=BookingStatus.ATTENDED))
        db.session.commit()
        return studio.slug, owner.email


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_charts_draw_and_mirror_in_arabic(new_context, live_app, live_server,
                                          studio_with_a_week, lang):
    slug, email = studio_with_a_week
    t = Texts(live_app, lang)
    page = new_context(locale=lang, has_touch=True,
                       viewport={"width": 1280, "height": 900}).new_page()
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    sign_in(page, live_server, t, lang, email)
    today = utcnow().date()
    page.goto(f"{live_server}/manage/{slug}/reports?start={today - timedelta(days=7)}"
              f"&end={today}")
    expect(page.locator("canvas[data-chart][data-drawn]")).to_have_count(2)
    first, second = page.evaluate("""() => {
        const chart = Chart.getChart(document.getElementById('chart-attendance'));
        return [chart.scales.x.getPixelForValue(0), chart.scales.x.getPixelForValue(1)];
    }""")
    assert (first > second) == (lang == "ar")
    assert problems == []
