"""A screen reader on the week schedule: every link and button of a class card names the class
and its time (thirty "Sign in to book" links are thirty different links), and booking announces
the panel's new state."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Texts
from tests.e2e.personas import PHONE, build_personas, signed_in_state, with_lang

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
# A link or button in an aria snapshot (YAML quotes the whole line when the name has a colon).
NAMED = re.compile(r'- \'?(?:link|button) "((?:[^"\\]|\\.)*)"')


@pytest.fixture(scope="module")
def personas(live_app):
    return build_personas(live_app)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_each_link_on_the_anonymous_schedule_names_its_class_and_time(
        browser, live_app, live_server, personas, lang):
    t = Texts(live_app, lang)
    context = browser.new_context(locale=lang, **PHONE)
    page = context.new_page()
    page.goto(live_server + with_lang(personas.page("schedule").path, lang))
    cards = page.locator(".class-card")
    assert cards.count() >= 2
    everything = []
    for card in cards.all():
        # Accessibility snapshots write the narrow no-break space of "6:00 PM" as a space.
        time = re.sub(r"\s", " ", card.locator(".class-time time").inner_text().strip())
        name = card.locator("h3").inner_text().strip()
        names = NAMED.findall(card.aria_snapshot())
        assert len(names) == 2, names  # the class and "Sign in to book"
        for accessible in names:
            assert name in accessible and time in accessible, (accessible, name, time)
        assert any(n.startswith(t("Sign in to book")) for n in names), names
        everything += names
    context.close()
    assert len(everything) == len(set(everything)), everything


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_booking_from_the_schedule_announces_the_new_state(browser, live_app, live_server,
                                                           personas, lang):
    t = Texts(live_app, lang)
    state = signed_in_state(browser, live_server, personas.email)
    context = browser.new_context(locale=lang, storage_state=state, **PHONE)
    page = context.new_page()
    page.goto(live_server + with_lang(personas.page("schedule").path, lang))
    page.evaluate("window.__noReload = 1")
    card = page.locator(".class-card").filter(has=page.get_by_role("button", name=t("Book"))).first
    panel = page.locator("#" + card.locator(".booking-panel").get_attribute("id"))
    panel.get_by_role("button").filter(has_text=re.compile(f"^{re.escape(t('Book'))}$")).tap()

    # The swapped-in panel is a polite live region whose new state is a status message.
    expect(panel.get_by_role("status")).to_have_text(t("You're booked"))
    expect(panel).to_have_attribute("aria-live", "polite")
    assert page.evaluate("window.__noReload") == 1
    # Undo, so the other language books the same class again.
    panel.get_by_role("link", name=re.compile(re.escape(t("Cancel booking")))).tap()
    panel.get_by_role("button", name=re.compile(re.escape(t("Yes, cancel")))).tap()
    # The new state is announced too: the answer says what the cancel did.
    expect(panel.get_by_role("status")).to_have_class(re.compile("cancel-outcome"))
    expect(panel.get_by_role("status")).not_to_have_text(t("You're booked"))
    context.close()
