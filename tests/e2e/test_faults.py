"""In the browser: a booking whose database connection is killed mid-request shows the
translated "busy, try again" above the page; the page and its booking panel stay as they were,
and the next tap books."""

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.studios.models import Studio
from tests.e2e.conftest import Texts
from tests.factories import UserFactory
from tests.faults import admin_connection, backends, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.mark.parametrize("phone", ["ar"], indirect=True)
def test_a_connection_killed_mid_booking_shows_busy_above_the_page(
        phone, live_app, live_server, scenario, artifacts_dir):
    lang, page, problems = phone
    t = Texts(live_app, lang)
    email = f"e2e-fault-{uuid.uuid4().hex[:8]}@example.com"
    with live_app.app_context():
        UserFactory(email=email)
        db.session.commit()
        assert db.session.scalar(select(Studio.id).where(Studio.slug == scenario.studio_slug))

    page.goto(f"{live_server}/login?lang={lang}")
    page.get_by_label(t("Email")).fill(email)
    page.get_by_label(t("Password")).fill("secret-pass")
    page.get_by_role("button", name=t("Sign in"), exact=True).tap()
    expect(page.get_by_role("button", name=t("Sign out"))).to_be_visible()
    page.goto(f"{live_server}/s/{scenario.studio_slug}/classes/{scenario.open_class_id}")
    panel = page.locator(f"#booking-panel-{scenario.open_class_id}")
    book = panel.get_by_role("button", name=re.compile("^" + re.escape(t("Book")) + ":"))
    expect(book).to_be_visible()

    # Another session holds the class row; the booking waits on it until its connection dies.
    live_app.config["BOOKING_LOCK_TIMEOUT_MS"] = 20000
    admin, holder = admin_connection(live_app), admin_connection(live_app)
    holder.autocommit = False
    holder.execute("SELECT id FROM classes WHERE id = %s FOR UPDATE", (scenario.open_class_id,))
    try:
        book.tap()
        (pid, *_), = wait_for(lambda: backends(admin, role="fitflow-web",
                                               query_like="%FOR UPDATE%", waiting=True),
                              timeout=10, what="the booking waiting on the class lock")
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        alert = page.locator("#page-alert [role=alert]")
        expect(alert).to_have_text(t("The service is busy. Please try again in a moment."))
        expect(book).to_be_visible()  # the panel was not replaced by an error page
        page.screenshot(path=artifacts_dir / f"fault-busy-{lang}.png")
    finally:
        holder.rollback()
        holder.close()
        live_app.config["BOOKING_LOCK_TIMEOUT_MS"] = 3000
    book.tap()
    expect(panel.locator(".badge-ok")).to_have_text(t("You're booked"))
    assert [p for p in problems if "503" not in p] == []
