"""A customer's training on a phone, in Arabic and English: the three progress charts are SVG
drawn on the server (visible, in colour, no chart script), nothing breaks the CSP or logs an
error, time runs right to left in Arabic with Latin digits, and the charts come back after an
htmx-boosted navigation."""

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

# Per chart, as laid out on screen: its size, its marks (points or bars) in drawing order, where
# its value labels sit, the colour CSS gives the first series, and every axis label.
CHARTS = """() => [...document.querySelectorAll("svg.chart-svg")].map((svg) => {
  const box = (e) => e.getBoundingClientRect();
  const series = [...svg.querySelectorAll(".chart-series")]
    .find((g) => g.querySelector(".chart-point, .chart-bar"));
  const marks = [...series.querySelectorAll(".chart-point, .chart-bar")];
  const all = [...svg.querySelectorAll(".chart-point, .chart-bar")].map(box);
  const values = [...svg.querySelectorAll(".chart-value")].map(box);
  return {
    width: box(svg).width, height: box(svg).height, marks: all.length,
    firstX: box(marks[0]).x, lastX: box(marks[marks.length - 1]).x,
    valuesRightOfMarks:
      Math.min(...values.map((r) => r.left)) >= Math.max(...all.map((r) => r.right)),
    valuesLeftOfMarks:
      Math.max(...values.map((r) => r.right)) <= Math.min(...all.map((r) => r.left)),
    colour: getComputedStyle(marks[0]).fill,
    labels: [...svg.querySelectorAll("text")].map((t) => t.textContent),
  };
})"""

# The scripts the page fetched, by file name.
SCRIPTS = """() => performance.getEntriesByType("resource")
  .filter((r) => r.initiatorType === "script").map((r) => r.name.split("?")[0].split("/").pop())"""

INKS = {"rgb(15, 118, 110)", "rgb(29, 78, 216)"}  # .series-0, .series-1


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

    sign_in(page, live_server, t, lang, trainee)

    page.goto(f"{live_server}/me/training")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if rtl else "ltr")
    svgs = page.locator("#training-progress svg.chart-svg")
    expect(svgs).to_have_count(3)
    for i in range(3):
        expect(svgs.nth(i)).to_be_visible()
    charts = page.evaluate(CHARTS)
    assert all(c["width"] > 300 and c["height"] > 150 and c["marks"] >= 4 for c in charts), charts
    assert all(c["colour"] in INKS for c in charts), charts  # the stylesheet reached the SVG
    # Time: the latest point or bar is left of the earliest in Arabic, right of it in English;
    # the value axis on the side time starts from.
    for c in charts:
        assert (c["lastX"] < c["firstX"]) if rtl else (c["lastX"] > c["firstX"]), c
        assert c["valuesRightOfMarks"] if rtl else c["valuesLeftOfMarks"], c
    labels = " ".join(label for c in charts for label in c["labels"])
    assert not any("\u0660" <= ch <= "\u0669" for ch in labels), labels  # Latin digits only
    assert any("0" <= ch <= "9" for ch in labels), labels
    assert any("\u0600" <= ch <= "\u06ff" for ch in labels) == rtl, labels  # month names
    assert page.evaluate(SCRIPTS) == ["htmx-2.0.11.min.js", "app.js"]  # no chart script
    page.locator("#chart-e1rm").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / f"training-charts-{lang}.png")

    # The numbers behind a chart, as a table.
    volume = page.locator("#chart-volume")
    volume.get_by_text(t("Show the numbers")).tap()
    expect(volume.locator("table tbody tr")).to_have_count(12)

    # Away and back through the tab bar (htmx-boosted, the body is swapped): drawn again.
    page.evaluate("window.__noReload = 1")
    page.locator(".tabbar").get_by_role("link", name=t("Bookings")).tap()
    expect(page.locator("svg.chart-svg")).to_have_count(0)
    page.locator(".tabbar").get_by_role("link", name=t("Training")).tap()
    expect(svgs).to_have_count(3)
    again = page.evaluate(CHARTS)
    assert [(c["marks"], c["colour"]) for c in again] == [(c["marks"], c["colour"]) for c in charts]
    assert all(c["width"] > 300 for c in again), again
    assert page.evaluate("window.__noReload") == 1  # swapped in place, not reloaded
    page.screenshot(path=artifacts_dir / f"training-page-{lang}.png", full_page=True)

    assert page.evaluate("window.__csp") == []
    assert problems == []
