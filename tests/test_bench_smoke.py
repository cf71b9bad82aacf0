"""The benchmark harness still runs, P2's measured POSTs each still make a booking (free and
with a pass required), P3's page-then-rush still ends exactly right in every variant and
worker setting, and P12's reminders through the real worker each arrive once or wait exactly
for the end of the quiet hours (CI smoke).

Runs `python -m bench --quick --only …` in a subprocess (its own gunicorn, its own database);
on a timeout the harness gets SIGTERM and stops its gunicorn itself (then SIGKILL).
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def quick_bench(figures: str, timeout: int, env: dict | None = None) -> tuple[dict, str]:
    """The summary of `python -m bench --quick --only <figures>`, and its output."""
    proc = subprocess.Popen([sys.executable, "-m", "bench", "--quick", "--only", figures,
                             "--json", "--no-results"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True,
                            env={**os.environ, **(env or {})})
    try:
        out, _ = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:  # SIGTERM lets the harness stop its gunicorn (own group)
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    assert proc.returncode == 0, out[-3000:]
    line = next(x for x in out.splitlines() if x.startswith("BENCH_SUMMARY "))
    return json.loads(line.removeprefix("BENCH_SUMMARY ")), out


@pytest.mark.xdist_group("bench")
def test_bench_quick_p2_books_and_p3_exact_counts():
    summary, out = quick_bench("P2,P3", timeout=400)
    p2 = {c["name"]: c for c in summary["P2"]["checks"]}
    assert p2["every measured POST made a booking (fewest per run)"]["ok"], out[-3000:]
    assert p2["book/cancel answered 200, wrk non-2xx"]["ok"], out[-3000:]
    p3 = summary["P3"]
    assert p3["counts"] == {"confirmed": 10, "waitlisted": 190, "positions_1_to_190": True,
                            "errors_5xx": 0}, out[-3000:]
    assert p3["checks"][0]["ok"], out[-3000:]  # every rush exact
    exact = [c["name"] for c in p3["checks"] if c["name"].endswith("0 5xx")]
    assert len(exact) == 4 and all(c["ok"] for c in p3["checks"] if c["name"] in exact)
    assert {name.split(":")[0] for name in exact} == {"threads, free", "threads, pass",
                                                      "sync, free", "sync, pass"}



@pytest.mark.xdist_group("bench")
def test_bench_quick_p12_reminders_once_and_deferred_exactly():
    """P12's fan-out at a small scale (20 people, 5 classes: 100 reminders, in batches, through
    the real worker to a local SMTP server): each daytime one arrives once, each night one is
    deferred to the end of the quiet hours and not sent, and the sweep run again sends
    nothing more. Its speed ratios are the bench's business, not this test's."""
    # Its own database and Redis: the scheduler may run it beside the P2/P3 smoke run.
    summary, out = quick_bench("P12", timeout=240, env={
        "BENCH_P12_SCALE": "20,5", "BENCH_DB_SUFFIX": "smoke12",
        "BENCH_REDIS_URL": "redis://127.0.0.1:6379/13"})
    p12 = summary["P12"]
    assert p12["counts"] == {"day_sent": 50, "night_deferred_exact": 50, "night_received": 0,
                             "day_each_once": True}, out[-3000:]
    assert p12["checks"][0]["ok"] and p12["checks"][1]["ok"], out[-3000:]
