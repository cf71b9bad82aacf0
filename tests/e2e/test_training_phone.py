"""A customer's training on a phone, in Arabic and English: the three progress charts are drawn
(ink on every canvas), nothing breaks the CSP or logs an error, time runs right to left in Arabic
with Latin digits, and the charts come back after an htmx-boosted navigation."""

import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.core.db import utcnow
from app.extensions import db
from app.studios.models import Studio
from tests.e2e.conftest import Texts, sign_in
from tests.factories import UserFactory
from tests.training.progress_helpers import customer_of, exercise, plan, workout_session

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

CSP_WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""

# Per chart: is it drawn, which way does time run, where is the value axis, what do ticks say.
CHARTS = """() => [...document.querySelectorAll("canvas[data-chart]")].map((canvas) => {
  const chart = Chart.getChart(canvas);
  if (!chart) return null;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) ink++;
  const points = chart.getDatasetMeta(0).data;
  return {
    ink, reverse: chart.options.scales.x.reverse, legendRtl: chart.options.plugins.legend.rtl,
    tooltipRtl: chart.options.plugins.tooltip.rtl, yPosition: chart.scales.y.position,
    firstX: points[0].x, lastX: points[points.length - 1].x,
    ticks: chart.scales.x.ticks.map((t) => String(t.label)).concat(
      chart.scales.y.ticks.map((t) => String(t.label))),
  };
})"""


@pytest.fixture
def trainee(live_app):
    """A customer of the e2e studio with a plan and five weeks of workouts."""
    with live_app.app_context():
        studio = db.session.scalar(select(Studio).where(Studio.slug == "e2e"))
        person = UserFactory(email=f"trainee-{uuid.uuid4().hex[:8]}@example.com")
        customer_of(studio, person)
        squat = exercise("Back squat", "القرفصاء الخلفية")
        press = exercise("Bench press", "ضغط البنش")
        plan(studio, person, None, "Strength", {(1, 1): [(squat, [(5, 60)] * 3)]})
        now = utcnow()
        for i in range(10):
            workout_session(studio, person, now - timedelta(days=35 - 3 * i), [
                (squat, 5, 60 + 2.5 * i, ["load", "e1rm"]), (press, 5, 40 + i, ["load"])])
        db.session.commit()
        return person.email


@pytest.mark.parametrize("phone", ["ar", "en"], indirect=True)
def test_progress_charts_on_a_phone(phone, live_app, live_server, trainee, artifacts_dir):
    lang, page, problems = phone
    t = Texts(live_app, lang)
    rtl = lang == "ar"
    page.add_init_script(CSP_WATCH)
    page.emulate_media(reduced_motion="reduce")  # drawn at once, no animation to wait for

    sign_in(page, live_server, t, lang, trainee)

    def charts_drawn():
        page.wait_for_function("() => window.Chart && [...document.querySelectorAll("
                               "'canvas[data-chart]')].every((c) => Chart.getChart(c))")
        return page.evaluate(CHARTS)

    page.goto(f"{live_server}/me/training")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if rtl else "ltr")
    expect(page.locator("canvas[data-chart]")).to_have_count(3)
    charts = charts_drawn()
    assert all(c["ink"] > 2000 for c in charts), charts
    assert [c["reverse"] for c in charts] == [rtl] * 3
    assert [(c["legendRtl"], c["tooltipRtl"]) for c in charts] == [(rtl, rtl)] * 3
    assert [c["yPosition"] for c in charts] == ["right" if rtl else "left"] * 3
    e1rm = charts[0]  # the oldest point is on the right in Arabic, on the left in English
    assert (e1rm["firstX"] > e1rm["lastX"]) if rtl else (e1rm["firstX"] < e1rm["lastX"])
    labels = " ".join(tick for c in charts for tick in c["ticks"])
    assert not any("\u0660" <= ch <= "\u0669" for ch in labels), labels  # Latin digits only
    assert any("\u0600" <= ch <= "\u06ff" for ch in labels) == rtl, labels  # month names
    page.locator("#chart-e1rm").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / f"training-charts-{lang}.png")

    # The numbers behind a chart, as a table.
    volume = page.locator("#chart-volume")
    volume.get_by_text(t("Show the numbers")).tap()
    expect(volume.locator("table tbody tr")).to_have_count(12)

    # Away and back through the tab bar (htmx-boosted, the body is swapped): drawn again.
    page.evaluate("window.__noReload = 1")
    page.locator(".tabbar").get_by_role("link", name=t("Bookings")).tap()
    expect(page.locator("canvas")).to_have_count(0)
    page.locator(".tabbar").get_by_role("link", name=t("Training")).tap()
    expect(page.locator("canvas[data-chart]")).to_have_count(3)
    assert all(c["ink"] > 2000 for c in charts_drawn())
    assert page.evaluate("window.__noReload") == 1  # swapped in place, not reloaded
    page.screenshot(path=artifacts_dir / f"training-page-{lang}.png", full_page=True)

    assert page.evaluate("window.__csp") == []
    assert problems == []
