"""A password field lets the person see what they typed (ASVS 2.1.12), in Arabic and English;
without script the button is not there and the field stays hidden text."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, Texts

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_show_and_hide_what_was_typed(new_context, live_app, live_server, lang):
    t = Texts(live_app, lang)
    page = new_context(locale=lang, **PHONE).new_page()
    page.goto(f"{live_server}/login?lang={lang}")
    password = page.get_by_label(t("Password"), exact=True)
    password.fill("palm-club-2026")
    expect(password).to_have_attribute("type", "password")

    page.get_by_role("button", name=t("Show")).click()
    expect(password).to_have_attribute("type", "text")
    expect(page.get_by_role("button", name=t("Hide"))).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name=t("Hide")).click()
    expect(password).to_have_attribute("type", "password")
    expect(password).to_have_value("palm-club-2026")


def test_without_script_there_is_no_button(new_context, live_app, live_server):
    t = Texts(live_app, "en")
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{live_server}/login?lang=en")
    expect(page.get_by_role("button", name=t("Show"))).to_have_count(0)
    expect(page.get_by_label(t("Password"), exact=True)).to_have_attribute("type", "password")
