"""The training pages: /me/training (a customer's own plan, history, records and charts, per
studio) and the coach's page of a client; tenancy, empty states, the timeline fragment."""

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _

from app.core.db import utcnow
from app.extensions import db
from app.studios.models import Role
from tests.conftest import login
from tests.factories import StudioFactory, UserFactory, staff
from tests.pages import Page
from tests.sql import Statements
from tests.test_security import INLINE_HANDLER, INLINE_SCRIPT, INLINE_STYLE
from tests.training.progress_helpers import customer_of, exercise, plan, workout_session

HX = {"HX-Request": "true"}
ME = "/me/training"


@pytest.fixture
def t(app):
    """Nora trains in studio A (a plan, three sessions, records) and B (one session); Omar trains
    in A too. A has a trainer; B has a trainer of its own."""
    a = StudioFactory(name={"en": "Studio A", "ar": "استوديو أ"})
    b = StudioFactory(name={"en": "Studio B", "ar": "استوديو ب"})
    coach, b_coach = staff(a, Role.TRAINER, name="Coach Lina"), staff(b, Role.TRAINER)
    nora, omar = UserFactory(name="Nora Haddad"), UserFactory(name="Omar Saleh")
    for studio, person in ((a, nora), (b, nora), (a, omar)):
        customer_of(studio, person)
    squat = exercise("Back squat", "القرفصاء الخلفية")
    pullup = exercise("Pull-up", "تمرين العقلة")
    deadlift = exercise("Deadlift", "الرفعة الميتة")
    plan(a, nora, coach, "Nora's strength block", {
        (1, 1): [(squat, [(5, 80), (5, 80), (5, 80)]), (pullup, [(8, None), (8, None)])],
        (1, 2): [(squat, [(3, 90)])]})
    now = utcnow()
    for days, load in ((20, 80), (13, 85), (6, 90)):
        records = ["load", "e1rm", "volume"]
        workout_session(a, nora, now - timedelta(days=days), [
            (squat, 5, load, records), (squat, 5, load - 10, []), (pullup, 10, 0, [])], coach=coach)
    workout_session(b, nora, now - timedelta(days=3), [(deadlift, 5, 140, ["load"])])
    workout_session(a, omar, now - timedelta(days=2), [(deadlift, 3, 777, ["load"])])
    return dict(a=a, b=b, coach=coach, b_coach=b_coach, nora=nora, omar=omar, squat=squat)


def coach_url(studio, customer):
    return f"/coach/{studio.slug}/clients/{customer.id}/training"


def _title(element) -> str:
    return next(c.text for c in element if c.tag.endswith("title"))


def charts(page: Page) -> dict[str, dict]:
    """Each drawn chart by name, read from its SVG: per series (the <g> in drawing order) its
    name, the tooltips of its points or bars and their x; the axis labels."""
    drawn = {}
    for svg in page.all("#training-progress svg.chart-svg"):
        name = svg.get("aria-labelledby").split("-")[1]
        groups = [g for g in svg.iter() if "chart-series" in (g.get("class") or "")]
        marks = [[m for m in g if m.get("class") in ("chart-point", "chart-bar")] for g in groups]
        drawn[name] = {
            "svg": svg, "labels": [_title(g) for g in groups],
            "titles": [[_title(m) for m in ms] for ms in marks],
            "xs": [[float(m.get("cx") or m.get("x") or re.match(r"M([\d.]+)", m.get("d"))[1])
                    for m in ms] for ms in marks],
            "time": [t.text for t in svg.iter() if t.get("class") == "chart-time"],
            "values": [t for t in svg.iter() if t.get("class") == "chart-value"],
        }
    return drawn


def script_names(page: Page) -> list[str]:
    return [s.get("src").split("?")[0].rsplit("/", 1)[-1] for s in page.all("script")]


def number_in(title: str) -> float:
    return float(re.search(r"[\d,.]+", title.split(": ")[-1])[0].replace(",", ""))


def assert_no_inline_code(response):
    body = response.get_data(as_text=True)
    assert not INLINE_SCRIPT.search(body) and not INLINE_STYLE.search(body)
    assert not INLINE_HANDLER.search(body)


def test_the_customer_sees_their_plan_history_records_and_charts(client, t):
    login(client, t["nora"])
    response = client.get(f"{ME}?studio={t['a'].slug}")
    assert response.status_code == 200
    assert_no_inline_code(response)
    page = Page(response)
    assert "Nora's strength block" in page.text("#training-plans")
    assert "3 sets of 5 at 80 kg" in page.text("#training-plans")
    assert "2 sets of 8" in page.text("#training-plans")
    history = page.text("#training-timeline")
    sets = [e.text for e in page.all("#training-timeline .set-text")]
    assert sets[:3] == ["5 × 90 kg", "5 × 80 kg", "10 reps"] and "with Coach Lina" in history
    assert len(page.all("#training-timeline .session-card")) == 3
    assert len(page.all("#training-timeline .badge-pr")) == 3
    assert "PR Heaviest, Best estimated 1RM, and Best volume" in history
    records = page.text("#training-records")
    assert "Back squat" in records and "105 kg" in records  # 90 × (1 + 5/30)
    assert "777" not in page.text() and "Deadlift" not in page.text()  # Omar's, and studio B's

    drawn = charts(page)
    assert set(drawn) == {"e1rm", "volume", "attendance"}
    e1rm = drawn["e1rm"]
    assert e1rm["labels"] == ["Back squat"]
    assert [number_in(t) for t in e1rm["titles"][0]] == [93.3, 99.2, 105.0]
    assert e1rm["titles"][0][-1].startswith("Back squat: 105 kg on ")
    assert e1rm["xs"][0] == sorted(e1rm["xs"][0])  # time runs left to right in English
    assert len(e1rm["time"]) == 4 and len(e1rm["values"]) >= 3
    assert page.text("#chart-e1rm .chart-legend") == "Back squat"
    volume = drawn["volume"]
    assert sum(number_in(t) for t in volume["titles"][0]) == 5 * (80 + 70 + 85 + 75 + 90 + 80)
    assert all(" kg in the week of " in t for t in volume["titles"][0])
    assert len(volume["time"]) == 4  # every third of the 12 weeks, the latest included
    attendance = drawn["attendance"]
    assert attendance["labels"] == ["Classes attended", "Training sessions"]
    assert [len(bars) for bars in attendance["titles"]] == [0, 3]
    assert attendance["titles"][1][0].startswith("1 training session in the week of ")
    assert script_names(page) == ["htmx-2.0.11.min.js", "app.js"]  # no chart script
    assert page.one("#chart-e1rm-caption").text is not None
    assert "up from 93.3 kg to 105 kg" in page.text("#chart-e1rm-caption")
    assert len(page.all("#chart-volume details table tbody tr")) == 12


def test_the_studio_picker_switches_between_the_customers_studios(client, t):
    login(client, t["nora"])
    page = Page(client.get(ME))
    links = page.all(".studio-picker a")
    assert [a.text for a in links] == ["Studio B", "Studio A"]  # most recent training first
    assert links[0].get("aria-current") == "page"
    assert "Deadlift" in page.text("#training-timeline")
    assert "Squat" not in page.text("#training-timeline")
    assert client.get(f"{ME}?studio={StudioFactory().slug}").status_code == 404
    assert client.get(f"{ME}?studio=%C2%B2").status_code == 404


def test_someone_who_never_trained_sees_an_empty_state_without_chart_code(client, t):
    login(client, UserFactory())
    response = client.get(ME)
    page = Page(response)
    with force_locale("en"):
        assert _("No training yet.") in page.text("main")
    assert not page.all("svg.chart-svg") and not page.all(".studio-picker")


def test_empty_charts_say_so_instead_of_drawing(client, t):
    newcomer = UserFactory()
    customer_of(t["a"], newcomer)
    plan(t["a"], newcomer, t["coach"], "First steps", {(1, 1): [(t["squat"], [(8, 20)])]})
    login(client, newcomer)
    page = Page(client.get(ME))
    assert "First steps" in page.text("#training-plans")
    assert not page.all("svg.chart-svg")
    empties = page.text("#training-progress")
    with force_locale("en"):
        assert _("No weighted sets in the last 6 months.") in empties
        assert _("No classes or training sessions in the last 12 weeks.") in empties
        assert _("No workouts logged yet.") in page.text("#training-timeline")
        assert _("No personal records yet: they appear after the first logged sets.") in page.text(
            "#training-records")


def test_the_coach_sees_the_clients_training_with_the_same_parts(client, t):
    login(client, t["coach"])
    response = client.get(coach_url(t["a"], t["nora"]))
    assert response.status_code == 200
    assert_no_inline_code(response)
    page = Page(response)
    assert page.one("body").get("class") == "coach"
    assert "Nora Haddad" in page.text("main")
    assert len(page.all("#training-timeline .badge-pr")) == 3
    assert set(charts(page)) == {"e1rm", "volume", "attendance"}
    assert "Nora's strength block" in page.text("#training-plans")
    assert "777" not in page.text()
    profile = Page(client.get(f"/coach/{t['a'].slug}/clients/{t['nora'].id}"))
    assert coach_url(t["a"], t["nora"]) in [a.get("href") for a in profile.all("main a")]


@pytest.mark.parametrize("who", ["b_coach", "omar", "anyone"])
def test_only_the_studios_staff_see_a_clients_training(client, t, who):
    user = UserFactory() if who == "anyone" else t[who]
    login(client, user)
    assert client.get(coach_url(t["a"], t["nora"])).status_code == 404


def test_a_coach_finds_only_their_studios_customers(client, t):
    login(client, t["coach"])
    stranger = UserFactory()
    assert client.get(coach_url(t["a"], stranger)).status_code == 404
    assert client.get(coach_url(t["b"], t["nora"])).status_code == 404  # B is not their studio
    assert client.get(f"/coach/{t['a'].slug}/clients/2147483647/training").status_code == 404


def test_older_sessions_come_as_a_fragment_of_the_timeline(client, t):
    a, nora = t["a"], t["nora"]
    start = utcnow() - timedelta(days=200)
    for i in range(12):
        workout_session(a, nora, start + timedelta(days=i), [(t["squat"], 5, 40, [])])
    login(client, t["coach"])
    first = Page(client.get(coach_url(a, nora)))
    older = first.one("#training-timeline .pager-older")
    assert older.get("hx-get") == f"{coach_url(a, nora)}?page=2"
    response = client.get(older.get("hx-get"), headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert "HX-Request" in response.headers["Vary"]
    fragment = Page(body)
    assert fragment.one("#training-timeline").get("hx-swap").startswith("outerHTML")
    assert len(fragment.all(".session-card")) == 5 and not fragment.all(".pager-older")
    assert fragment.one(".pager-newer").get("href") == f"{coach_url(a, nora)}?page=1"
    login(client, nora)
    assert client.get(f"{ME}?studio={a.slug}&page=2", headers=HX).status_code == 200
    assert client.get(f"{ME}?studio={a.slug}&page=99999999999999999999").status_code == 200


def test_arabic_pages_name_the_exercises_in_arabic_and_run_right_to_left(client, t):
    login(client, t["nora"])
    page = Page(client.get(f"{ME}?studio={t['a'].slug}&lang=ar"))
    assert page.one("html").get("dir") == "rtl"
    drawn = charts(page)
    e1rm = drawn["e1rm"]
    assert e1rm["labels"] == ["القرفصاء الخلفية"]
    assert e1rm["xs"][0] == sorted(e1rm["xs"][0], reverse=True)  # time runs right to left
    for chart in drawn.values():  # the value axis on the right, its labels outside the plot
        assert chart["svg"].get("direction") == "rtl"
        plot_right = max(float(line.get("x2")) for line in chart["svg"].iter()
                         if line.tag.endswith("}line"))
        assert all(float(t.get("x")) > plot_right for t in chart["values"])
        labels = "".join(chart["time"] + [t.text for t in chart["values"]])
        assert re.search(r"[0-9]", labels) and not re.search("[\u0660-\u0669]", labels)
    assert re.search("[\u0600-\u06ff]", "".join(e1rm["time"]))  # Arabic month names
    assert "القرفصاء الخلفية" in page.text("#training-records")


@pytest.mark.parametrize("path", ["me", "coach"])
def test_the_pages_run_the_same_statements_for_3_or_30_sessions(app, t, path):
    counts = []
    for n in (3, 30):
        person = UserFactory()
        customer_of(t["a"], person)
        now = utcnow()
        for i in range(n):
            workout_session(t["a"], person, now - timedelta(days=i + 1),
                            [(t["squat"], 5, 50 + i, ["load"]), (t["squat"], 8, 40, [])],
                            coach=t["coach"])
        client = app.test_client()
        login(client, person if path == "me" else t["coach"])
        url = ME if path == "me" else coach_url(t["a"], person)
        db.session.expire_all()
        counts.append(Statements().during(lambda: client.get(url)))  # noqa: B023
    assert counts[0] == counts[1], counts


def test_a_hostile_exercise_name_stays_text_in_the_chart(client, t):
    name = "Bob's \"lift\" </svg><script>alert(1)</script> & co"
    own = exercise(name, name, studio=t["a"])
    workout_session(t["a"], t["nora"], utcnow() - timedelta(days=1), [(own, 5, 200, ["load"])])
    login(client, t["nora"])
    response = client.get(f"{ME}?studio={t['a'].slug}")
    assert "<script>alert" not in response.get_data(as_text=True)
    page = Page(response)
    e1rm = charts(page)["e1rm"]
    assert e1rm["labels"][0] == name
    assert e1rm["titles"][0][0].startswith(f"{name}: 233.3 kg on ")
    assert name in page.text("#chart-e1rm .chart-legend")
    assert not page.all("#training-progress script") and len(page.all("svg.chart-svg")) == 3


@pytest.mark.parametrize("path", ["me", "coach"])
def test_no_page_loads_chart_code(client, t, path):
    """The charts are drawn on the server: the training pages load the scripts every page of
    their layout loads, and nothing of Chart.js."""
    login(client, t["nora"] if path == "me" else t["coach"])
    url = f"{ME}?studio={t['a'].slug}" if path == "me" else coach_url(t["a"], t["nora"])
    page = Page(client.get(url))
    assert len(page.all("svg.chart-svg")) == 3
    scripts = script_names(page)
    assert not any("chart" in name for name in scripts), scripts
    if path == "me":
        assert scripts == script_names(Page(client.get("/me/bookings")))
        assert scripts == ["htmx-2.0.11.min.js", "app.js"]
    assert client.get("/static/js/charts.js").status_code == 404
