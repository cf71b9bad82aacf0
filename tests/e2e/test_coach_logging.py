"""A coach logs a client's workout on a tablet, one tap per set: prefilled from the plan and the
last session, a stepper for a heavier set and its PR badge, two sets while the tablet is offline
(queued, then synced: none lost, none doubled), an undo — in Arabic and English, no reload.
A second scenario times a six-exercise session."""

import json
import time
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.core.db import utcnow
from app.extensions import db
from app.studios.models import Role, StudioCustomer
from app.training.models import (
    Exercise,
    LoggedSet,
    TrainingPlan,
    Workout,
    WorkoutExercise,
    WorkoutSet,
)
from app.training.services import sessions
from app.training.services.library import seed_library
from tests.e2e.conftest import Texts, not_the_drop, set_network, sign_in
from tests.factories import StudioFactory, UserFactory, staff

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}
NAMES = ["Bench press", "Back squat", "Deadlift", "Overhead press", "Barbell row", "Pull-up"]


def client_with_plan(live_app, exercises: int, sets: int):
    """A coach, a client with a one-day plan and a last session for every exercise."""
    with live_app.app_context():
        seed_library()
        builtin = {e.name["en"]: e for e in db.session.scalars(
            select(Exercise).where(Exercise.studio_id.is_(None)))}
        chosen = [builtin[n] for n in NAMES[:exercises]]
        studio = StudioFactory(slug=f"lift-{uuid.uuid4().hex[:6]}",
                               location__timezone="Asia/Riyadh")
        coach = staff(studio, Role.TRAINER, email=f"coach-{uuid.uuid4().hex[:6]}@example.com")
        client = UserFactory(name="Huda Nasser")
        db.session.add(StudioCustomer(studio_id=studio.id, user_id=client.id))
        plan = TrainingPlan(studio_id=studio.id, client_id=client.id, coach_id=coach.id,
                            title="Strength", weeks=4, days_per_week=1)
        db.session.add(plan)
        db.session.flush()
        day = Workout(studio_id=studio.id, plan_id=plan.id, week=1, day=1, title="A")
        day.items = [WorkoutExercise(exercise_id=e.id, position=i, rest_seconds=90,
                                     sets=[WorkoutSet(position=j, reps=5) for j in range(sets)])
                     for i, e in enumerate(chosen)]
        db.session.add(day)
        last = sessions.start_session(studio, client, coach=coach, now=utcnow() - timedelta(days=3))
        for e in chosen:
            for j in range(sets):
                sessions.log_set(last, studio, set_id=str(uuid.uuid4()), exercise_id=e.id,
                                 position=j, reps=5, load=Decimal(60),
                                 now=utcnow() - timedelta(days=3))
        sessions.finish_session(last)
        db.session.commit()
        return dict(slug=studio.slug, coach=coach.email, client=client.id,
                    exercises=[e.id for e in chosen], last_session=last.id)


def today_sets(live_app, info):
    with live_app.app_context():
        return db.session.execute(select(LoggedSet.exercise_id, LoggedSet.position, LoggedSet.load,
                                         LoggedSet.records)
                                  .where(LoggedSet.client_id == info["client"],
                                         LoggedSet.session_id != info["last_session"])
                                  .order_by(LoggedSet.exercise_id, LoggedSet.position)).all()


def open_session(context, live_server, info, t, lang):
    page = context.new_page()
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: r.status >= 500 and problems.append(f"{r.status} {r.url}"))
    sign_in(page, live_server, t, lang, info["coach"])
    page.goto(f"{live_server}/coach/{info['slug']}/clients/{info['client']}")
    page.get_by_role("button", name=t("Start this workout")).tap()
    expect(page.locator(".exercise-log")).to_have_count(len(info["exercises"]))
    page.evaluate("window.__noReload = 1")
    return page, problems


def tap_set(page, t, exercise_id, n):
    section = page.locator(f"#exercise-{exercise_id}")
    section.get_by_role("button", name=t("Log set %(n)s", n=n)).tap()


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_coach_logs_a_session_online_and_offline(new_context, live_app, live_server, lang,
                                                 artifacts_dir):
    info = client_with_plan(live_app, exercises=3, sets=2)
    t = Texts(live_app, lang)
    context = new_context(locale=lang, **TABLET)
    page, problems = open_session(context, live_server, info, t, lang)
    bench, squat, deadlift = info["exercises"]

    # Prefilled from the last session: "last: 60 × 5", weight 60, reps 5 from the plan.
    first = page.locator(f"#set-{bench}-0")
    expect(first).to_contain_text(t("last: %(load)s × %(reps)s", load=Decimal(60), reps=5))
    expect(first.locator("input[name=load]")).to_have_value("60")
    expect(first.locator("input[name=reps]")).to_have_value("5")

    tap_set(page, t, bench, 1)
    expect(page.locator(f"#set-{bench}-0.is-logged")).to_be_visible()
    expect(page.locator("[data-rest-timer]")).to_be_visible()  # the rest timer started
    # One stepper tap adds the studio's increment (2.5 kg): a heavier set is a record.
    page.locator(f"#set-{bench}-1").get_by_role("button", name=t("More weight")).tap()
    expect(page.locator(f"#set-{bench}-1 input[name=load]")).to_have_value("62.5")
    tap_set(page, t, bench, 2)
    expect(page.locator(f"#set-{bench}-1 .badge-pr").first).to_be_visible()
    tap_set(page, t, squat, 1)
    expect(page.locator(f"#set-{squat}-0.is-logged")).to_be_visible()

    # The connection drops for two sets: they are kept on the tablet and shown as waiting.
    set_network(context, online=False)
    # The tablet knows it is offline (as a real drop tells it): taps go straight to its queue.
    page.wait_for_function("!navigator.onLine")
    tap_set(page, t, squat, 2)
    tap_set(page, t, deadlift, 1)
    expect(page.locator(".set-row.is-queued")).to_have_count(2)
    expect(page.locator("[data-sync-status]")).to_have_text(t("Waiting to sync: %(count)s",
                                                              count=2))
    page.screenshot(path=artifacts_dir / f"logging-offline-{lang}.png", full_page=True)
    assert len(today_sets(live_app, info)) == 3

    # Back online: the queue syncs in order and the rows show what the server saved.
    set_network(context, online=True)
    expect(page.locator("[data-sync-status]")).to_have_text(t("All changes are synced."))
    expect(page.locator(".set-row.is-queued")).to_have_count(0)
    expect(page.locator(f"#set-{deadlift}-0.is-logged")).to_be_visible()
    tap_set(page, t, deadlift, 2)
    expect(page.locator(".set-row.is-logged")).to_have_count(6)

    # Undo takes one back; logging it again makes six again.
    page.locator(f"#set-{deadlift}-1").get_by_role("button", name=t("Undo")).tap()
    expect(page.locator(".set-row.is-logged")).to_have_count(5)
    tap_set(page, t, deadlift, 2)
    expect(page.locator(".set-row.is-logged")).to_have_count(6)
    page.screenshot(path=artifacts_dir / f"logging-done-{lang}.png", full_page=True)

    rows = today_sets(live_app, info)
    assert [(e, p) for e, p, _l, _r in rows] == [(e, p) for e in sorted(info["exercises"])
                                                 for p in range(2)]  # none lost, none doubled
    records = {(e, p): r for e, p, _l, r in rows}
    loads = {(e, p): load for e, p, load, _r in rows}
    assert loads[(bench, 1)] == Decimal("62.50") and "load" in records[(bench, 1)]
    assert page.evaluate("window.__noReload") == 1
    assert not_the_drop(problems) == []
    context.close()


def test_time_to_log_a_six_exercise_session(new_context, live_app, live_server, artifacts_dir):
    info = client_with_plan(live_app, exercises=6, sets=3)
    t = Texts(live_app, "en")
    context = new_context(locale="en", **TABLET)
    page, problems = open_session(context, live_server, info, t, "en")
    started = time.perf_counter()
    for exercise_id in info["exercises"]:
        for n in (1, 2, 3):
            tap_set(page, t, exercise_id, n)
            expect(page.locator(f"#set-{exercise_id}-{n - 1}.is-logged")).to_be_visible()
    seconds = time.perf_counter() - started
    assert len(today_sets(live_app, info)) == 18 and problems == []
    (artifacts_dir / "logging-timing.json").write_text(json.dumps(
        {"exercises": 6, "sets": 18, "seconds": round(seconds, 2),
         "per_set_ms": round(seconds / 18 * 1000)}))
    print(f"six-exercise session: 18 sets logged in {seconds:.2f} s")
    context.close()


def test_a_reload_without_network_keeps_the_page_and_the_waiting_sets(new_context, live_app,
                                                                        live_server):
    """The tablet reloads while offline: the service worker serves the workout as last seen,
    the set waiting to sync is shown with the weight it was logged with, and it syncs once."""
    info = client_with_plan(live_app, exercises=1, sets=2)
    t = Texts(live_app, "en")
    context = new_context(locale="en", **TABLET)
    page, problems = open_session(context, live_server, info, t, "en")
    page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # through the service worker now, which keeps a copy
    page.wait_for_function("!!navigator.serviceWorker.controller")
    page.wait_for_load_state("networkidle")
    (bench,) = info["exercises"]

    set_network(context, online=False)

    # The tablet knows it is offline (as a real drop tells it): taps go straight to its queue.

    page.wait_for_function("!navigator.onLine")
    page.locator(f"#set-{bench}-0").get_by_role("button", name=t("More weight")).tap()
    tap_set(page, t, bench, 1)
    expect(page.locator(".set-row.is-queued")).to_have_count(1)
    page.reload()
    expect(page.locator(f"#set-{bench}-0.is-queued")).to_be_visible()
    expect(page.locator(f"#set-{bench}-0 input[name=load]")).to_have_value("62.5")
    assert today_sets(live_app, info) == []

    set_network(context, online=True)
    expect(page.locator(f"#set-{bench}-0.is-logged")).to_be_visible()
    rows = today_sets(live_app, info)
    assert [(e, p, load) for e, p, load, _r in rows] == [(bench, 0, Decimal("62.50"))]
    assert not_the_drop(problems) == []
    context.close()
