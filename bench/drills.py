"""Fault drills under load: `python -m bench --drills` (about two minutes).

gunicorn (-w 2 --threads 4) and `python -m workers` run against a database of their own
(`fitflow_bench_drills`, small scale) and a Redis of their own (a `redis-server` on a free port:
the shared Redis is never touched). Eight customers book and cancel in 3-spot
classes the whole time, so waitlists move and promotion emails are queued as jobs. Every drill
books in both variants at once: half its classes in a studio that needs no pass, half in one
that requires a pass (each customer holds one), whose ledger is checked too.

D1  PostgreSQL: every web connection is killed (pg_terminate_backend) three times under load.
D2  A class row is held locked by another session for 8 s while customers try to book it.
D3  Redis (append-only file on, as in production) is stopped for 30 s under load and started.

Each drill prints its numbers and PASS/FAIL; all of them go to bench/drills.json.
"""

import json
import random
import re
import threading
import time
import traceback
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import psycopg
import requests
from redis import Redis
from rq.job import Job

from app.bookings.models import HOLDS_SPOT
from bench import data
from bench.client import User
from bench.config import PG_HOST, ROOT, SMALL
from bench.figures import _fresh_classes, _give_passes, check
from bench.server import Server, Worker
from tests.faults import RedisServer, wait_for

DRILLS = replace(SMALL, name="drills", database="fitflow_bench_drills")
RESULTS = ROOT / "bench" / "drills.json"
CANCEL = re.compile(r"/bookings/(\d+)/cancel")
HX = {"HX-Request": "true"}
CUSTOMERS = 8
BUSY_AR = "يحجز كثيرون هذه الحصة الآن"  # ClassBusy in translations/ar
BUSY_503_AR = "الخدمة مشغولة حاليًا"  # the 503 page's message in translations/ar


def pg(autocommit=True) -> psycopg.Connection:
    return psycopg.connect(f"postgresql://postgres@{PG_HOST}/{DRILLS.database}",
                           autocommit=autocommit)


PASS_SLUG = "benchpass"  # the drills' studio that requires a pass
SLUG: dict[int, str] = {}  # each drill class's studio


def drill_classes(count: int, capacity: int = 3) -> list[int]:
    """Fresh classes two days ahead, small, so waitlists move: alternately of the studio that
    requires a pass (the first) and of the free `bench` studio."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    ids = []
    with pg() as conn:
        for i in range(count):
            if i % 2 == 0:
                cls = _fresh_classes(DRILLS.database, PASS_SLUG, 1, capacity=capacity,
                                     requires_pass=True)[0]
                SLUG[cls] = PASS_SLUG
            else:
                cls = conn.execute(
                    "INSERT INTO classes (studio_id, class_type_id, location_id, starts_at,"
                    " ends_at, capacity, status, created_at) VALUES (1, 1, 1, %s, %s, %s,"
                    " 'scheduled', now()) RETURNING id",
                    (start + timedelta(minutes=i), start + timedelta(minutes=i + 60),
                     capacity)).fetchone()[0]
                SLUG[cls] = "bench"
            ids.append(cls)
    return ids


def class_path(cls: int) -> str:
    return f"/s/{SLUG[cls]}/classes/{cls}"


class Load:
    """Customers in threads booking and cancelling; every request logged as
    (start, end, customer, kind, class, status or exception name, Retry-After)."""

    def __init__(self, url: str, users: list[User], classes: list[int]):
        self.url, self.users, self.classes = url, users, classes
        self.log: list[tuple] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True)
                        for i in range(len(users))]

    def __enter__(self):
        self.t0 = time.monotonic()
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=30)

    def request(self, i: int, kind: str, cls: int, path: str, method: str = "post"
                ) -> requests.Response | None:
        user = self.users[i]
        start = time.monotonic() - self.t0
        try:
            r = user.http.request(method, self.url + path,
                                  headers={**user.post_headers(), **HX}, timeout=30)
            outcome, retry = r.status_code, r.headers.get("Retry-After")
        except requests.RequestException as exc:
            r, outcome, retry = None, type(exc).__name__, None
        self.log.append((start, time.monotonic() - self.t0, i, kind, cls, outcome, retry))
        return r

    def _run(self, i: int):
        """Book a random class, or cancel the booking held in it: each customer holds about
        half the classes, more than their spots, so waitlists form and cancellations promote."""
        rnd, held = random.Random(i), {}
        while not self.stop.is_set():
            cls = rnd.choice(self.classes)
            if cls in held:
                r = self.request(i, "cancel", cls,
                                 f"{class_path(cls)}/bookings/{held.pop(cls)}/cancel")
                continue
            r = self.request(i, "book", cls, f"{class_path(cls)}/book")
            if r is not None and r.status_code == 200 and "is-confirmed" in r.text:
                # A spot is cancelled in two taps: the consequence first, then the form.
                r = self.request(i, "confirm", cls, f"{class_path(cls)}?confirm=cancel",
                                 method="get")
            found = CANCEL.search(r.text) if r is not None and r.status_code == 200 else None
            if found:
                held[cls] = found[1]

    def statuses(self, since: float = 0, until: float = 1e9) -> dict:
        counts: dict = {}
        for e in self.log:
            if since <= e[0] < until:
                counts[e[5]] = counts.get(e[5], 0) + 1
        return counts

    def failures(self, *, allowed=()) -> list[tuple]:
        """Requests that failed: 5xx or no answer, except (status, class) pairs allowed."""
        return [e for e in self.log if not (isinstance(e[5], int) and e[5] < 500)
                and (e[5], e[4]) not in allowed]


def consistency(classes: list[int]) -> dict:
    """No class over capacity, no free spot while someone waits (auto waitlist), one active
    booking per customer and class, every class's kept spots taken equal to its bookings, every
    promotion email job about a committed booking; where a pass is required, every confirmed
    booking paid one credit, a timely cancel got it back, a place in line took none."""
    with pg() as conn:
        over = conn.execute(
            "SELECT count(*) FROM classes c WHERE c.id = ANY(%s) AND (SELECT count(*) FROM bookings"
            " b WHERE b.class_id = c.id AND b.status IN ('confirmed', 'offered')) > c.capacity",
            (classes,)).fetchone()[0]
        idle_spot = conn.execute(
            "SELECT count(*) FROM classes c WHERE c.id = ANY(%s) AND (SELECT count(*) FROM bookings"
            " b WHERE b.class_id = c.id AND b.status = ANY(%s)) < c.capacity AND EXISTS"
            " (SELECT 1 FROM bookings b WHERE b.class_id = c.id AND b.status = 'waitlisted')",
            (classes, [str(s) for s in HOLDS_SPOT])).fetchone()[0]
        doubles = conn.execute(
            "SELECT count(*) FROM (SELECT class_id, customer_id FROM bookings"
            " WHERE class_id = ANY(%s)"
            " AND status IN ('confirmed', 'waitlisted', 'offered') GROUP BY 1, 2"
            " HAVING count(*) > 1) d", (classes,)).fetchone()[0]
        miscounted = conn.execute(  # the trigger-kept count against the bookings themselves
            "SELECT count(*) FROM classes c WHERE c.id = ANY(%s) AND c.spots_taken <> (SELECT"
            " count(*) FROM bookings b WHERE b.class_id = c.id AND b.status = ANY(%s))",
            (classes, [str(s) for s in HOLDS_SPOT])).fetchone()[0]
        orphans = conn.execute(
            "SELECT count(*) FROM job_outbox o WHERE o.func LIKE 'workers.jobs.notifications.%%'"
            # the jobs about a booking (a delivery's or a pass's job carries another id)
            " AND o.func NOT IN ('workers.jobs.notifications.deliver',"
            " 'workers.jobs.notifications.send_pass_notice',"
            " 'workers.jobs.notifications.send_membership_notice')"
            " AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.id = (o.args->>0)::int)"
        ).fetchone()[0]
        unpaid, not_returned, paid_to_wait = conn.execute(
            "SELECT count(*) FILTER (WHERE b.status = 'confirmed' AND (d.id IS NULL"
            " OR r.id IS NOT NULL)), count(*) FILTER (WHERE b.status = 'cancelled'"
            " AND d.id IS NOT NULL AND r.id IS NULL), count(*) FILTER (WHERE b.status IN"
            " ('waitlisted', 'offered') AND d.id IS NOT NULL AND r.id IS NULL)"
            " FROM bookings b JOIN studios s ON s.id = b.studio_id AND s.booking_requires_pass"
            " LEFT JOIN credit_entries d ON d.booking_id = b.id AND d.reason = 'booking'"
            " LEFT JOIN credit_entries r ON r.booking_id = b.id AND r.reason = 'returned'"
            " WHERE b.class_id = ANY(%s)", (classes,)).fetchone()
    return {"over_capacity": over, "free_spot_while_waiting": idle_spot,
            "double_bookings": doubles, "spots_miscounted": miscounted,
            "jobs_without_booking": orphans, "confirmed_without_its_credit": unpaid,
            "timely_cancel_without_credit_back": not_returned,
            "credit_taken_for_a_place_in_line": paid_to_wait}


def kill_web_connections() -> int:
    with pg() as conn:
        return conn.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name LIKE 'fitflow-web:%%'"
        ).fetchone()[0]


def d1_postgres_killed(srv, users) -> dict:
    classes = drill_classes(4)
    kills = []
    with Load(srv.url, users, classes) as load:
        for at in (4, 9, 14):
            time.sleep(max(0.0, at - (time.monotonic() - load.t0)))
            kills.append((time.monotonic() - load.t0, kill_web_connections()))
        time.sleep(max(0.0, 20 - (time.monotonic() - load.t0)))
    failed = load.failures()
    killed = sum(n for _t, n in kills)
    # A request fails because of a kill if it was in flight at that moment.
    late = [f for f in failed if not any(t <= f[1] and f[0] <= t + 5 for t, _n in kills)]
    recovery = max((f[1] - max(t for t, _n in kills if t <= f[1]) for f in failed
                    if any(t <= f[1] for t, _n in kills)), default=0.0)
    state = consistency(classes)
    per_kill = [sum(1 for f in failed if t <= f[1] < t + 5) for t, _n in kills]
    return {"drill": "D1", "title": "PostgreSQL connections killed under load (3 x all web "
            "connections)", "raw": {"kills": kills, "failed": failed, "requests": len(load.log),
                                    "statuses": load.statuses(), "failed_per_kill": per_kill,
                                    "state": state},
            "checks": [
                check("requests under load", len(load.log), "> 100", len(load.log) > 100),
                check("failed requests / connections killed", f"{len(failed)} / {killed}",
                      "failed <= killed", len(failed) <= killed),
                check("failures later than 5 s after a kill", len(late), "0", not late),
                check("last failure after its kill (s)", round(recovery, 2), "< 5", recovery < 5),
                check("failed answers that were 503 (not 500)",
                      f"{sum(f[5] == 503 for f in failed)}/{len(failed)}", "all",
                      all(f[5] == 503 for f in failed)),
                check("bookings consistent", state, "all 0", not any(state.values()))]}


def d2_class_locked(srv, users) -> dict:
    classes = drill_classes(5)
    locked = classes[0]
    holder = pg(autocommit=False)
    # Two customers keep the other classes busy while two at a time try the locked one: at most
    # four requests, so even one gunicorn process (four threads) never queues them for a thread
    # and an answer's time is the lock wait alone.
    with Load(srv.url, users[4:6], classes[1:]) as load:
        time.sleep(2)
        holder.execute("SELECT id FROM classes WHERE id = %s FOR UPDATE", (locked,))
        t_lock = time.monotonic() - load.t0
        tries = []

        def attempt(i: int, lang: str):
            user = users[i]
            t = time.monotonic()
            r = user.http.post(f"{srv.url}{class_path(locked)}/book?lang={lang}",
                               headers={**user.post_headers(), **HX}, timeout=30)
            tries.append((time.monotonic() - t, r.status_code, r.headers.get("Retry-After"),
                          lang, r.text))

        for pair in ((0, 1), (2, 3)):
            threads = [threading.Thread(target=attempt, args=(i, "ar" if i % 2 else "en"))
                       for i in pair]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=30)
        time.sleep(max(0.0, t_lock + 8 - (time.monotonic() - load.t0)))
        holder.rollback()
        t_free = time.monotonic() - load.t0
        time.sleep(2)
    holder.close()
    others = [e for e in load.log if t_lock <= e[0] < t_free]
    after = users[0].http.post(f"{srv.url}{class_path(locked)}/book",
                               headers={**users[0].post_headers(), **HX}, timeout=30)
    waited = max(t[0] for t in tries)
    arabic = all(BUSY_AR in t[4] for t in tries if t[3] == "ar")
    return {"drill": "D2", "title": "A class row held locked by another session for 8 s",
            "raw": {"attempts": [t[:4] for t in tries], "others_during_lock": len(others),
                    "other_failures": load.failures()},
            "checks": [
                check("bookings of the locked class answered", [t[1] for t in tries],
                      "all 503", all(t[1] == 503 for t in tries)),
                check("with Retry-After", {t[2] for t in tries}, "{'2'}",
                      {t[2] for t in tries} == {"2"}),
                check("slowest answer (s), two in line at a time", round(waited, 2),
                      "<= 3.5 (lock timeout 3 s)", waited <= 3.5),
                check("Arabic message for ?lang=ar", arabic, "True", arabic),
                check("other classes served meanwhile (requests)", len(others), "> 10",
                      len(others) > 10),
                check("5xx on other classes", len(load.failures()), "0", not load.failures()),
                check("booking after release", after.status_code, "200",
                      after.status_code == 200)]}


def d3_redis_stopped(srv, users, redis: RedisServer, worker) -> dict:
    classes = drill_classes(4)
    with pg() as conn:
        first_job = conn.execute("SELECT coalesce(max(id), 0) FROM job_outbox").fetchone()[0]
    probe = requests.Session()  # a visitor who opened the sign-in form before the outage
    token = re.search(r'name="csrf_token" value="([^"]+)"', probe.get(f"{srv.url}/login").text)[1]
    logins, outage = [], 30
    with Load(srv.url, users, classes) as load, pg() as conn:
        time.sleep(5)
        redis.stop()
        t_down = time.monotonic() - load.t0
        while time.monotonic() - load.t0 < t_down + outage:
            t = time.monotonic()
            r = probe.post(f"{srv.url}/login?lang=ar", data={
                "email": "bench1@example.com", "password": "wrong", "csrf_token": token},
                timeout=30)
            logins.append((r.status_code, r.headers.get("Retry-After"), time.monotonic() - t,
                           BUSY_503_AR in r.text))
            time.sleep(1)
        login_page = probe.get(f"{srv.url}/login").status_code  # needs no Redis
        backlog_end = conn.execute("SELECT coalesce(max(id), 0) FROM job_outbox").fetchone()[0]
        backlog = conn.execute("SELECT count(*) FROM job_outbox WHERE id > %s AND sent_at IS NULL",
                               (first_job,)).fetchone()[0]
        redis.start()
        t_up = time.monotonic()

        def backlog_left():
            return conn.execute("SELECT count(*) FROM job_outbox WHERE id > %s AND id <= %s AND"
                                " sent_at IS NULL", (first_job, backlog_end)).fetchone()[0]

        wait_for(lambda: backlog_left() == 0, timeout=60, interval=0.1, what="the backlog")
        drain_s = time.monotonic() - t_up
        time.sleep(max(0.0, 5 - drain_s))  # load goes on a little after recovery
    during = load.statuses(t_down, t_down + outage)
    with pg() as conn:
        wait_for(lambda: conn.execute("SELECT count(*) FROM job_outbox WHERE id > %s AND sent_at"
                                      " IS NULL", (first_job,)).fetchone()[0] == 0,
                 timeout=30, what="the outbox to empty")
        jobs = [r[0] for r in conn.execute(
            "SELECT job_id FROM job_outbox WHERE id > %s ORDER BY id", (first_job,))]
    rq = Redis.from_url(redis.url)

    def tally() -> tuple[dict, dict]:
        """Runs per job (from the worker's log), and RQ's status of each job not run yet."""
        log_text = worker.output()
        runs = {j: log_text.count(f"Job OK ({j})") for j in jobs}
        status = {j: str(Job.fetch(j, connection=rq).get_status()) for j, n in runs.items()
                  if n == 0 and Job.exists(j, connection=rq)}
        for j, st in status.items():
            if st == "finished":  # ran, but the worker quit before logging it (Redis left)
                runs[j] = 1
        return runs, {j: st for j, st in status.items() if st != "finished"}

    t_jobs = time.monotonic()
    # The single worker catches up with the queue; a job whose horse could not report (Redis
    # gone under it) stays "started" until RQ's abandoned-job cleanup retries it (~2 min).
    wait_for(lambda: all(st == "started" for st in tally()[1].values()), timeout=240,
             interval=1, what="the worker to catch up")
    catch_up = time.monotonic() - t_jobs
    counts, waiting = tally()
    lost = [j for j, c in counts.items() if c == 0 and j not in waiting]
    # Started more than once: in flight when Redis stopped, run again by RQ as abandoned (its
    # effect once: the email's dedup key).
    log_text = worker.output()
    restarted = [j for j in jobs if log_text.count(f") ({j})\n") > 1]
    state = consistency(classes)
    errors = sum(n for k, n in during.items() if not (isinstance(k, int) and k < 500))
    login_outcomes = sorted({(s, ra, ar) for s, ra, _t, ar in logins})
    slowest = max(t for _s, _ra, t, _ar in logins)
    return {"drill": "D3", "title": f"Redis stopped for {outage} s under load (AOF on)",
            "raw": {"logins": logins, "statuses_during": during, "jobs": len(jobs),
                    "in_flight": waiting,
                    "backlog": backlog, "drain_s": drain_s, "state": state,
                    "failures": load.failures(), "login_page_during": login_page},
            "checks": [
                check("book/cancel requests during the outage / 5xx",
                      f"{sum(during.values())} / {errors}", "> 50 / 0",
                      sum(during.values()) > 50 and errors == 0),
                check("jobs committed while down (waiting in the outbox)", backlog, "> 0",
                      backlog > 0),
                check("login POST during the outage (status, Retry-After, Arabic)",
                      login_outcomes, "[(503, '5', True)]", login_outcomes == [(503, "5", True)]),
                check("slowest login answer (s)", round(slowest, 2), "< 2.5", slowest < 2.5),
                check("sign-in page (GET) during the outage", login_page, "200",
                      login_page == 200),
                check("outage backlog handed to RQ after restart (s)", round(drain_s, 1), "< 10",
                      drain_s < 10),
                check("jobs lost / run twice (of all jobs in the drill)",
                      f"{len(lost)} / {sum(1 for c in counts.values() if c > 1)} "
                      f"(of {len(counts)})", "0 / 0",
                      not lost and all(c <= 1 for c in counts.values())),
                check("jobs in flight at the stop, run again by RQ as abandoned / still to run",
                      f"{len(restarted)} / {len(waiting)}", "reported", True),
                check("worker caught up with the queue after the outage (s)", round(catch_up),
                      "reported", True),
                check("bookings consistent", state, "all 0", not any(state.values()))]}


def run(log=print) -> list[dict]:
    (ROOT / "instance").mkdir(exist_ok=True)
    log("Preparing data")
    data.prepare(DRILLS, log=log)
    redis = RedisServer(persist=True).start()
    results = []
    try:
        with Worker(DRILLS.database, "drills",
                    env={"REDIS_URL": redis.url, "OUTBOX_RELAY_INTERVAL": "1"}) as worker, \
                Server(DRILLS.database, env={"REDIS_URL": redis.url}) as srv:
            log(f"gunicorn at {srv.url}, Redis at {redis.url}, worker log {worker.path}")
            users = [User(srv.url, f"bench{i}@example.com") for i in range(1, CUSTOMERS + 1)]
            drill_classes(1)  # the studio that requires a pass, then each customer's pass
            _give_passes(DRILLS.database, PASS_SLUG, [u.email for u in users])
            for drill in (d1_postgres_killed, d2_class_locked,
                          lambda s, u: d3_redis_stopped(s, u[:4], redis, worker)):
                t0 = time.perf_counter()
                try:
                    res = drill(srv, users)
                except Exception as exc:  # one broken drill still leaves the others' numbers
                    traceback.print_exc()
                    res = {"drill": getattr(drill, "__name__", "D3")[:2].upper(),
                           "title": repr(exc)[:80], "raw": {},
                           "checks": [check("ran", repr(exc)[:60], "no error", False)]}
                res["seconds"] = round(time.perf_counter() - t0, 1)
                log(f"  {res['drill']} {res['title']}: {res['seconds']} s")
                results.append(res)
    finally:
        redis.close()
    RESULTS.write_text(json.dumps(results, indent=2, default=str))
    return results


def summary(results: list[dict]) -> dict:
    return {r["drill"]: {c["name"]: c["value"] for c in r["checks"]} for r in results}

