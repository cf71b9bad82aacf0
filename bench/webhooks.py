"""P7: Stripe's webhook, 500 signed deliveries of one studio's events (shuffled, 20 % twice),
while `python -m workers default` applies what it stores; the events and the reference
studio's states come from bench/stripe.py."""

import statistics
import threading
import time

from bench import stripe as p7data
from bench.client import User, closing_session, drive
from bench.config import db_url
from bench.figures import SCHEDULE, check, info, pg
from bench.server import Worker


def p7(srv, user: User, database: str, opt, tag: str) -> dict:
    """Stripe's events for two identical studios: A's applied one by one in Stripe's order (the
    reference), B's delivered over HTTP shuffled with duplicates while a worker applies what the
    webhook stored. The webhook's rate is measured against the schedule page with the same
    driver, after a warm-up: the page before the deliveries and again once the worker has
    applied them (the mean of the two, so that a drift of the box weighs on both sides). How
    fast the worker applies the events, from the first delivery to the last applied, is shown
    beside it."""
    url = db_url(database)
    rates, applied, equal, sched, errors, outcomes, answers = [], [], [], [], 0, [], []
    h = {"Cookie": user.cookie}
    def schedule(n):
        return drive([lambda: user.http.get(srv.url + SCHEDULE, headers=h) for _ in range(n)],
                     workers=opt.p7_workers)["rps"]

    with Worker(database, "p7", "default") as worker:
        schedule(200)  # warm-up
        for run in range(opt.p7_runs):
            made, gross = p7data.make_studios(url, f"{tag}r{run}")
            (a_slug, a_secret, a_ids), (b_slug, b_secret, b_ids) = made
            unique_a = p7data.events(a_slug, a_ids, gross)
            p7data.apply_in_order(url, a_slug, unique_a)
            deliveries = p7data.with_duplicates(p7data.events(b_slug, b_ids, gross), seed=run)
            signed = [p7data.signed(e, b_secret) for e in deliveries]
            sessions = threading.local()

            def post(body, headers):
                if not hasattr(sessions, "s"):  # noqa: B023 (used within this iteration)
                    sessions.s = closing_session()  # noqa: B023
                return sessions.s.post(f"{srv.url}/webhooks/stripe?studio={b_slug}",  # noqa: B023
                                       data=body, headers=headers)

            page_before = schedule(len(deliveries))
            started = time.perf_counter()
            hooks = drive([lambda b=b, hd=hd: post(b, hd) for b, hd in signed],
                          workers=opt.p7_workers)
            errors += sum(r.status_code != 200 for r in hooks["responses"])
            answers.append(sorted({r.json()["outcome"] for r in hooks["responses"]}))
            left = _wait_applied(database, b_slug, len(unique_a), timeout=180)
            if left:
                raise RuntimeError(f"the worker left {left} events unapplied; see {worker.path}")
            applied.append(len(unique_a) / (time.perf_counter() - started))
            rates.append(hooks["rps"])
            # The page before the deliveries and again once the worker is idle: a drift of the
            # box in between is taken on both sides.
            sched.append((page_before + schedule(len(deliveries))) / 2)
            outcomes.append(p7data.outcomes(url, b_slug))
            equal.append(p7data.final_state(url, a_ids) == p7data.final_state(url, b_ids))
    ratio = statistics.median(rates) / statistics.median(sched)
    applied_ratio = statistics.median(applied) / statistics.median(sched)
    return {"figure": "P7", "raw": {"webhook_rps": rates, "applied_per_s": applied,
                                    "schedule_rps_same_driver": sched, "states_equal": equal,
                                    "non_200": errors, "answers_seen": answers,
                                    "outcomes_applied": outcomes},
            "checks": [
                check("final state == each unique event once, in order", all(equal), "True",
                      all(equal) and errors == 0),
                check("webhook rps / schedule rps (same driver)", ratio, ">= 1.0", ratio >= 1.0),
                info("events applied by the worker per s / schedule rps", applied_ratio)]}


def _wait_applied(database: str, slug: str, unique: int, timeout: float) -> int:
    """Wait until the studio's `unique` events are stored and applied; how many were not."""
    deadline = time.monotonic() + timeout
    with pg(database) as conn:
        while True:
            stored, left = conn.execute(
                "SELECT count(*), count(*) FILTER (WHERE e.processed_at IS NULL)"
                " FROM stripe_events e JOIN studios s ON s.id = e.studio_id WHERE s.slug = %s",
                (slug,)).fetchone()
            left += unique - stored
            if left == 0 or time.monotonic() > deadline:
                return left
            time.sleep(0.02)
