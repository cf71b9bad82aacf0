"""The installed app without a network: the service worker shows the translated offline page."""

import pytest
from flask import request, request_started
from playwright.sync_api import expect

from tests.e2e.conftest import Texts

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.mark.parametrize("phone", ["ar"], indirect=True)
def test_offline_page_when_the_network_drops(phone, live_app, live_server, artifacts_dir):
    lang, page, problems = phone
    t = Texts(live_app, lang)
    page.goto(f"{live_server}/?lang={lang}")
    page.wait_for_function("navigator.serviceWorker"
                           " && navigator.serviceWorker.ready.then(() => true)")
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()  # now controlled by the service worker
    page.wait_for_function("!!navigator.serviceWorker.controller")
    page.wait_for_load_state("networkidle")
    online_problems = list(problems)  # requests cut off by going offline are expected to fail
    page.context.set_offline(True)
    page.goto(f"{live_server}/s/e2e/schedule", wait_until="domcontentloaded")
    expect(page.locator("h1")).to_have_text(t("You are offline"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.screenshot(path=artifacts_dir / f"offline-{lang}.png")
    page.context.set_offline(False)
    assert online_problems == []
    # Offline, failed loads are the point; a script error is not.
    assert [p for p in problems if p.startswith("page error")] == []


@pytest.mark.parametrize("phone", ["en"], indirect=True)
def test_the_service_worker_precaches_without_the_visitors_cookie(phone, live_app, live_server):
    """The offline pages render the session's CSRF token: fetched with the visitor's cookie
    while they sign in, their answer set the session back to the signed-out one (a flaky
    sign-in in CI). Precached without cookies, no answer can."""
    _lang, page, problems = phone
    seen: list[tuple[str, bool]] = []

    def record(sender, **extra):
        if request.path.startswith("/offline/"):
            seen.append((request.path, "Cookie" in request.headers))

    request_started.connect(record, live_app)
    try:
        page.goto(f"{live_server}/login")  # a page that gives the visitor a session cookie
        assert page.context.cookies()
        page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
        page.evaluate("navigator.serviceWorker.ready")
    finally:
        request_started.disconnect(record, live_app)
    assert sorted(seen) == [("/offline/ar", False), ("/offline/en", False)]
    assert problems == []
