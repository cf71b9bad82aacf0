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


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_strength_meter_follows_what_is_typed(new_context, live_app, live_server, lang,
                                                  artifacts_dir):
    """ASVS 2.1.8: typing a new password shows how strong it is, and the verdict changes as
    the password does; read out by screen readers (a polite live region)."""
    t = Texts(live_app, lang)
    page = new_context(locale=lang, **PHONE).new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.goto(f"{live_server}/signup?lang={lang}")
    page.get_by_label(t("Your name")).fill("Nora Qahtani")
    page.get_by_label(t("Email")).fill("nora.qahtani@example.com")
    password = page.get_by_label(t("Password"), exact=True)
    meter = page.locator("#password-strength")
    expect(meter).to_have_attribute("aria-live", "polite")
    expect(meter).to_be_empty()

    password.press_sequentially("aaaaaaaaaaaa", delay=20)
    expect(meter).to_contain_text(t("Strength: %(verdict)s", verdict=t("Weak")))
    expect(meter).to_contain_text(t("Repeated letters or words are easy to guess."))

    password.fill("noraqahtani2026")  # her own name: weak too
    expect(meter).to_contain_text(t("It contains your name or email address."))

    password.fill("palm-club-2026")
    expect(meter).to_contain_text(t("Strength: %(verdict)s", verdict=t("Strong")))
    expect(meter.locator("meter")).to_have_attribute("value", "4")
    page.screenshot(path=artifacts_dir / f"password-strength-{lang}.png", full_page=True)

    password.fill("")
    expect(meter.locator(".strength")).to_have_count(0)
    assert problems == []
