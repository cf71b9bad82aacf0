"""An owner opens the reports in Chromium: Chart.js draws every chart (no CSP or script error),
and in Arabic the attendance chart reads right to left (its first class type at the right).
The owner of two studios goes from the overview, last month, to Riyadh's revenue, checks its
VAT against a figure computed by hand and downloads the taxes' CSV."""

import csv
import io
import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.bookings.models import Booking, BookingStatus
from app.core.db import utcnow
from app.extensions import db
from app.studios.models import Role, StaffRole
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
    # Attendance, time of day, fill rate, waitlist, memberships, cohorts, certificates.
    expect(page.locator("canvas[data-chart]")).to_have_count(7)
    expect(page.locator("canvas[data-chart][data-drawn]")).to_have_count(7)
    first, second = page.evaluate("""() => {
        const chart = Chart.getChart(document.getElementById('chart-attendance'));
        return [chart.scales.x.getPixelForValue(0), chart.scales.x.getPixelForValue(1)];
    }""")
    assert (first > second) == (lang == "ar")
    assert problems == []


@pytest.fixture
def two_studios(live_app):
    """An owner of a Riyadh studio (SAR, Saudi VAT) and a Toronto one, with sales last month in
    Riyadh: drop-ins of 50.00 and 100.00 before VAT."""
    from app.memberships.models import PlanKind
    from app.schedule.queries import local_today
    from tests.factories import PlanFactory, UserFactory
    from tests.reports.test_reports import _order, utc

    tag = uuid.uuid4().hex[:6]
    with live_app.app_context():
        riyadh = StudioFactory(slug=f"riyadh-{tag}", name={"en": f"Riyadh {tag}", "ar": "الرياض"},
                               location__timezone="Asia/Riyadh", location__currency="SAR",
                               location__tax_jurisdiction="SA")
        owner = staff(riyadh, Role.OWNER, email=f"owner-{tag}@example.com")
        toronto = StudioFactory(slug=f"toronto-{tag}", name={"en": f"Toronto {tag}"})
        db.session.add(StaffRole(studio_id=toronto.id, user_id=owner.id, role=Role.OWNER))
        last = local_today("Asia/Riyadh").replace(day=1) - timedelta(days=20)
        drop_in = PlanFactory(studio=riyadh, kind=PlanKind.DROP_IN, currency="SAR")
        for net in (5000, 10000):
            _order(riyadh, drop_in, UserFactory(), riyadh.default_location, net=net,
                   tax=net * 15 // 100, code="VAT", rate="15",
                   paid_at=utc(last.year, last.month, last.day, 9))
        db.session.commit()
        return riyadh.slug, owner.email


def test_owner_overview_last_month_to_riyadh_vat_and_its_csv(new_context, live_app,
                                                             live_server, two_studios,
                                                             tmp_path):
    slug, email = two_studios
    t = Texts(live_app, "en")
    page = new_context(locale="en", has_touch=True,
                       viewport={"width": 1280, "height": 900}).new_page()
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    sign_in(page, live_server, t, "en", email)
    page.goto(f"{live_server}/manage/")
    page.get_by_label(t("Period")).select_option(label=t("Last month"))
    page.get_by_role("button", name=t("Show")).click()
    expect(page).to_have_url(re.compile(r"period=last_month"))
    expect(page.locator("#table-overview thead th")).to_have_count(2)
    page.locator(f'a[data-revenue="{slug}"]').click()
    expect(page).to_have_url(re.compile(rf"/manage/{slug}/reports\?start=.*#report-revenue$"))
    # Hand-computed: 15 % VAT on 50.00 and on 100.00 is 7.50 + 15.00 = 22.50.
    vat = page.locator("#table-taxes tbody tr", has_text="VAT")
    expect(vat).to_have_count(1)
    expect(vat.locator("td").nth(7)).to_have_text("SAR\u00a022.50")
    expect(vat.locator("td").nth(4)).to_have_text("SAR\u00a0150.00")
    taxes = page.locator("#report-taxes")
    with page.expect_download() as download_info:
        taxes.get_by_role("link", name=t("Download CSV")).click()
    path = tmp_path / "taxes.csv"
    download_info.value.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[1:] == [["SAR", "SA", "VAT", "15", "150.00", "22.50", "0.00", "22.50"]]
    assert problems == []
