"""A customer on a phone: sign up, book with one tap, cancel, join a waitlist — in Arabic and
English.

Expected text comes from the message catalogue through Flask-Babel, so the assertions follow the
translations instead of copying them.
"""

import re
import uuid

import pytest
from playwright.sync_api import expect

from app.core.mail import read_mailbox
from tests.e2e.conftest import Texts, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

@pytest.mark.parametrize("phone", ["ar", "en"], indirect=True)
def test_customer_books_cancels_and_waits_on_a_phone(
    phone, live_app, live_server, scenario, artifacts_dir
):
    lang, page, problems = phone
    t = Texts(live_app, lang)
    direction = "rtl" if lang == "ar" else "ltr"

    def shot(name: str, focus=None, *, full_page: bool = False) -> None:
        """What the phone shows (the acting panel scrolled into view), or the whole page."""
        if focus is not None:
            focus.scroll_into_view_if_needed()
        page.screenshot(path=artifacts_dir / f"{name}-{lang}.png", full_page=full_page)

    # Sign up through the real form, in the chosen language.
    page.goto(f"{live_server}/signup?lang={lang}")
    expect(page.locator("html")).to_have_attribute("dir", direction)
    page.get_by_label(t("Your name")).fill("سارة العتيبي" if lang == "ar" else "Sara Smith")
    email = f"e2e-{lang}-{uuid.uuid4().hex[:8]}@example.com"  # the form refuses .test domains
    page.get_by_label(t("Email")).fill(email)
    page.get_by_label(t("Password")).fill("a-good-password")
    shot("01-signup")
    page.get_by_role("button", name=t("Create account"), exact=True).tap()
    expect(page.get_by_text(t("Thank you! We sent a message to that address: open it to "
                              "confirm, then sign in with your password."))).to_be_visible()
    with live_app.app_context():  # jobs ran inline in the live app: nothing captured them
        assert [m["To"] for m in read_mailbox() if m["To"] == email] == [email]
    sign_in(page, live_server, t, lang, email, "a-good-password")

    # The studio's week, right to left in Arabic.
    page.goto(f"{live_server}/s/{scenario.studio_slug}/schedule")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", direction)
    expect(html).to_have_attribute("lang", lang)
    open_panel = page.locator(f"#booking-panel-{scenario.open_class_id}")
    full_panel = page.locator(f"#booking-panel-{scenario.full_class_id}")
    expect(page.get_by_role("link", name=scenario.open_class_name[lang])).to_be_visible()
    expect(open_panel.locator(".spots")).to_have_text(t.spots_left(5))
    shot("02-schedule", full_page=True)

    # One tap books; the panel changes in place, the page is not reloaded.
    page.evaluate("window.__noReload = 1")
    open_panel.get_by_role("button", name=re.compile("^" + re.escape(t("Book")) + ":")).tap()
    expect(open_panel.locator(".badge-ok")).to_have_text(t("You're booked"))
    expect(open_panel.locator(".spots")).to_have_text(t.spots_left(4))
    assert page.evaluate("window.__noReload") == 1
    expect(page).to_have_url(re.compile(rf"/s/{scenario.studio_slug}/schedule$"))
    shot("03-booked", open_panel)

    # Cancelling first says what it will do, then puts the spot back.
    open_panel.get_by_role("link", name=t("Cancel booking")).tap()
    confirm = open_panel.get_by_role("alertdialog")
    expect(confirm).to_contain_text(t("You can cancel free of charge."))
    shot("04-cancel-confirm", open_panel)
    confirm.get_by_role("button", name=t("Yes, cancel")).tap()
    book = re.compile("^" + re.escape(t("Book")) + ":")
    expect(open_panel.get_by_role("button", name=book)).to_be_visible()
    expect(open_panel.locator(".spots")).to_have_text(t.spots_left(5))
    expect(open_panel.locator(".badge-ok")).to_have_count(0)
    expect(open_panel.locator(".cancel-outcome")).to_have_text(t("Cancelled."))
    assert page.evaluate("window.__noReload") == 1
    shot("05-cancelled", open_panel)

    # The full class offers its waitlist; joining shows the place in line.
    expect(full_panel.locator(".spots")).to_have_text(t("Full"))
    full_panel.get_by_role("button", name=t("Join the waitlist")).tap()
    expect(full_panel.locator(".badge-wait")).to_have_text(
        t("You are number %(position)s on the waitlist", position=1)
    )
    expect(full_panel.locator(".badge-wait")).to_contain_text("1")
    assert page.evaluate("window.__noReload") == 1
    shot("06-waitlisted", full_panel)

    # My bookings lists the waitlisted class (and not the cancelled one).
    page.get_by_role("navigation", name=t("Shortcuts")).get_by_role(
        "link", name=t("Bookings")
    ).tap()
    expect(page).to_have_url(re.compile(r"/me/bookings$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("My bookings"))
    rows = page.locator(".booking-list .booking-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(scenario.full_class_name[lang])
    expect(rows.first.locator(".badge")).to_have_text(t("Waitlist"))
    shot("07-my-bookings")

    assert problems == []
