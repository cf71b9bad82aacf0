"""Done for bulk printing, in Arabic: staff print last month's invoices, watch the progress bar
move as the documents are rendered (the job runs beside the web process here, as in the quick
start), and download the merged PDF, whose page count is that of the invoices it binds."""

import io
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from app.billing.models import Invoice, PrintRun
from app.billing.services.printing import documents_query
from app.core.db import utcnow
from app.core.i18n import local
from app.extensions import db
from app.studios.models import Role, Studio
from tests.e2e.conftest import Texts, sign_in
from tests.factories import UserFactory, paid_order, staff

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "has_touch": True}  # sign_in taps
INVOICES = 16


def test_staff_print_a_month_and_watch_it_move(new_context, live_app, live_server,
                                               artifacts_dir):
    t = Texts(live_app, "ar")
    tag = uuid.uuid4().hex[:6]
    with live_app.app_context():
        studio = db.session.scalar(select(Studio).where(Studio.slug == "e2e"))
        admin = staff(studio, Role.STUDIO_ADMIN, email=f"printer-{tag}@example.com")
        # Issued last month, their PDFs not rendered yet (the render jobs are held back, as
        # when a worker was down): the run renders each, so its bar has something to show.
        first_this = local(utcnow(), studio.timezone).date().replace(day=1)
        mid_last = (first_this - timedelta(days=15))
        live_app.config["JOBS_CAPTURE"] = []
        try:
            for i in range(INVOICES):
                _o, _p, invoice = paid_order(studio, UserFactory(name=f"زبون {i} {tag}"))
                invoice.issued_at = local(utcnow(), studio.timezone).replace(
                    year=mid_last.year, month=mid_last.month, day=mid_last.day, hour=12,
                    minute=i)
            db.session.commit()
        finally:
            live_app.config["JOBS_CAPTURE"] = None
        admin_email = admin.email

    context = new_context(locale="ar", accept_downloads=True, **DESKTOP)
    page = context.new_page()
    sign_in(page, live_server, t, "ar", admin_email)
    page.goto(f"{live_server}/manage/e2e/printing")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.get_by_role("button", name=t("Print"), exact=True).click()

    # Watch the panel as htmx swaps it every second, until the download appears.
    panel = page.locator("#run-progress")
    download = panel.locator('a[href$=".pdf"]')
    seen: list[tuple[int, int]] = []
    deadline = utcnow() + timedelta(seconds=120)
    while not download.count() and utcnow() < deadline:
        bar = panel.locator("progress")
        if bar.count():
            state = (int(bar.get_attribute("value")), int(bar.get_attribute("max")))
            if not seen or seen[-1] != state:
                seen.append(state)
                if 0 < state[0] < state[1]:
                    page.screenshot(path=artifacts_dir / "printing-progress-ar.png")
        page.wait_for_timeout(100)
    expect(download).to_be_visible()
    total = seen[-1][1]
    assert total >= INVOICES
    moving = [done for done, _ in seen if 0 < done < total]
    assert len(set(moving)) >= 2, seen  # the bar advanced while the run went on
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    expect(panel.locator(".print-state")).to_contain_text(t("Ready: %(total)s documents",
                                                            total=total))
    page.screenshot(path=artifacts_dir / "printing-done-ar.png")

    with page.expect_download() as caught:
        download.click()
    merged = PdfReader(io.BytesIO(open(caught.value.path(), "rb").read()))
    with live_app.app_context():  # each document as the run stored it, page for page
        run = db.session.scalar(select(PrintRun).order_by(PrintRun.id.desc()).limit(1))
        ids = db.session.scalars(documents_query(run.studio, run.date_from, run.date_to)).all()
        pdfs = [db.session.scalar(select(Invoice.pdf).where(Invoice.id == i)) for i in ids]
    assert len(ids) == total
    assert len(merged.pages) == sum(len(PdfReader(io.BytesIO(pdf)).pages) for pdf in pdfs)
    context.close()
