"""The figures P1–P6 and P11 (P7, the webhook, is bench/webhooks.py). Each returns
{"figure", "checks": [(name, value, target, ok)], "raw"}."""

import gzip
import json
import re
import statistics
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import brotli
import psycopg
import requests

from bench import control
from bench.client import User, wrk
from bench.config import PG_HOST, PYTHON, ROOT
from bench.server import app_env, stop

SCHEDULE = "/s/bench/schedule"
# Page figures are taken as browsers ask for them (Flask-Compress answers br); uncompressed
# figures are info rows.
BROWSER = {"Accept-Encoding": "br"}
P2_SLUG, P2_CLASSES = "benchp2", 60  # P2's booked classes: a studio of their own
P3_SLUG = "benchp3"
CLASS_LINK = re.compile(r'/s/bench/classes/(\d+)')
POSITION = re.compile(r"You are number (\d+) on the waitlist")


def check(name, value, target, ok):
    return {"name": name, "value": value, "target": target, "ok": bool(ok)}


def info(name, value):
    """A number shown beside the checks for context, with no target."""
    return {"name": name, "value": value, "target": "", "ok": True, "info": True}


def pg(database: str):
    """An autocommit connection to a bench database, outside the app."""
    return psycopg.connect(f"postgresql://postgres@{PG_HOST}/{database}", autocommit=True)


def _side_by_side(runs: int, seconds: float, targets: dict) -> dict:
    """wrk each named target in turn, `runs` rounds after a warm-up; medians and raw runs.
    A target may name `before` (called before each of its wrk runs) and `after` (called with
    each run's numbers; what it returns is added to them)."""
    def run(spec, secs):
        spec = dict(spec)
        before, after = spec.pop("before", None), spec.pop("after", None)
        if before:
            before()
        result = wrk(**spec, seconds=secs)
        return {**result, **after(result)} if after else result

    for spec in targets.values():
        run(spec, 1)
    raw = {name: [] for name in targets}
    for _ in range(runs):
        for name, spec in targets.items():
            raw[name].append(run(spec, seconds))
    med = {name: {k: statistics.median(r[k] for r in rs) for k in rs[0]}
           for name, rs in raw.items()}
    return {"median": med, "runs": raw}


def p1(srv, user: User, opt, alt=None) -> dict:
    """The week page against its controls, compressed as browsers ask (br; uncompressed as
    info), and against the same page served by `alt`, the worker setting the Procfile does
    not use (the Procfile's must be the faster)."""
    page = user.http.get(srv.url + SCHEDULE).text
    classes = len(set(CLASS_LINK.findall(page)))
    mine = page.count("badge-ok") + page.count("badge-wait")
    plain = {"Cookie": user.cookie}
    h = {**plain, **BROWSER}
    targets = {
        "schedule": dict(url=srv.url + SCHEDULE, headers=h),
        "control": dict(url=srv.url + "/_bench/schedule/bench", headers=h),
        "hello": dict(url=srv.url + "/_bench/hello", headers=h),
        "schedule_plain": dict(url=srv.url + SCHEDULE, headers=plain),
        "control_plain": dict(url=srv.url + "/_bench/schedule/bench", headers=plain),
    }
    if alt is not None:
        targets["schedule_alt"] = dict(url=alt.url + SCHEDULE, headers=h)
    res = _side_by_side(opt.runs, opt.seconds, targets)
    m = res["median"]
    vs_control = m["schedule"]["rps"] / m["control"]["rps"]
    vs_hello = m["schedule"]["rps"] / m["hello"]["rps"]
    p95 = m["schedule"]["p95_ms"] / m["control"]["p95_ms"]
    plain_ratio = m["schedule_plain"]["rps"] / m["control_plain"]["rps"]
    errors = sum(r["non2xx"] + r["socket_errors"] for rs in res["runs"].values() for r in rs)
    checks = [
        check("week page has >= 60 classes", classes, ">= 60", classes >= 60),
        check("schedule rps / control rps (br)", vs_control, ">= 0.70", vs_control >= 0.70),
        check("schedule rps / hello rps (br)", vs_hello, ">= 0.15", vs_hello >= 0.15),
        check("schedule p95 / control p95 (br)", p95, "<= 1.5", p95 <= 1.5),
        check("non-2xx responses", errors, "0", errors == 0),
        info("schedule rps / control rps, uncompressed", plain_ratio),
        info("schedule rps br / uncompressed",
             m["schedule"]["rps"] / m["schedule_plain"]["rps"]),
        info("schedule rps (br)", m["schedule"]["rps"])]
    if alt is not None:
        faster = m["schedule"]["rps"] / m["schedule_alt"]["rps"]
        checks.append(check("schedule rps, Procfile's workers / the alternative", faster,
                            ">= 1.0", faster >= 1.0))
    return {"figure": "P1", "raw": {**res, "classes_in_week": classes, "own_bookings_shown": mine},
            "checks": checks}


def _future_class(database: str, studio_id: int = 1, days: int = 2) -> int:
    with pg(database) as conn:
        return conn.execute(
            "SELECT c.id FROM classes c WHERE c.studio_id = %s AND c.starts_at > now() + %s"
            " AND (SELECT count(*) FROM bookings b WHERE b.class_id = c.id"
            " AND b.status = 'confirmed')"
            " < c.capacity - 2 AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.class_id = c.id"
            " AND b.customer_id = 1) ORDER BY c.starts_at LIMIT 1",
            (studio_id, timedelta(days=days))).fetchone()[0]


def p2(srv, user: User, database: str, opt, bookers: list[User]) -> dict:
    """The booking panel's htmx answers against the full page the customer books from: the
    week schedule, where every class carries its panel (the class page carries one too; its
    ratios are shown for context).

    Every measured booking POST makes a booking: `bookers` (signed-in customers) each book
    classes of a studio of their own (P2_SLUG) in turn, spread so that concurrent requests
    take different class locks, and the bookings are deleted before each run. The count of
    bookings made is checked against the POSTs answered. A POST for a class the customer is
    already in (a double tap) is measured beside it, for context."""
    cls = _future_class(database)
    page_url = f"{srv.url}/s/bench/classes/{cls}"
    week = user.http.get(srv.url + SCHEDULE).content
    class_page = user.http.get(page_url).content
    booked = user.http.post(page_url + "/book", headers=user.post_headers())
    with pg(database) as conn:
        bid = conn.execute("SELECT id FROM bookings WHERE class_id = %s AND customer_id = 1"
                           " AND status = 'confirmed'", (cls,)).fetchone()[0]
    cancelled = user.http.post(f"{page_url}/bookings/{bid}/cancel", headers=user.post_headers())
    rebooked = user.http.post(page_url + "/book", headers=user.post_headers())
    fragment = max(len(booked.content), len(cancelled.content))
    ratio, class_ratio = fragment / len(week), fragment / len(class_page)

    h = {"Cookie": user.cookie, **BROWSER}
    variants = {"free": P2_SLUG, "pass": P2_SLUG + "pass"}
    booked_classes = {}
    targets = {}
    for variant, slug in variants.items():
        classes = _fresh_classes(database, slug, P2_CLASSES, capacity=len(bookers), days=3,
                                 requires_pass=variant == "pass")
        if variant == "pass":
            _give_passes(database, slug, [b.email for b in bookers])
        booked_classes[variant] = classes
        paths = [f"/s/{slug}/classes/{c}/book" for c in classes]
        targets[f"book_{variant}"] = dict(
            url=srv.url + "/", method="POST", headers={"HX-Request": "true"},
            requests_file=_requests_file(f"p2-{variant}", paths, bookers),
            before=lambda classes=classes: _forget(database, classes),
            after=lambda result, classes=classes: _bookings_made(database, classes, result))
    with pg(database) as conn:
        conn.execute(control.WRITE_FLOOR_TABLE)
    targets["write_floor"] = dict(
        url=srv.url + "/", method="POST", headers={"HX-Request": "true"},
        requests_file=_requests_file("p2-floor", [control.WRITE_FLOOR_PATH] * P2_CLASSES,
                                     bookers))
    targets |= {
        "week_page": dict(url=srv.url + SCHEDULE, headers=h),
        "repeat_post": dict(url=page_url + "/book", method="POST",
                            headers={**h, **user.post_headers()}),
        "class_page": dict(url=page_url, headers=h),
    }
    res = _side_by_side(opt.runs, opt.seconds, targets)
    for classes in booked_classes.values():
        _forget(database, classes)
    m = res["median"]
    floor = m["write_floor"]["rps"]
    speed = {v: m[f"book_{v}"]["rps"] / floor for v in variants}
    vs_week = m["book_pass"]["rps"] / m["week_page"]["rps"]
    repeat_speed = m["repeat_post"]["rps"] / m["week_page"]["rps"]
    class_speed = m["book_pass"]["rps"] / m["class_page"]["rps"]
    made = min(r["made_per_post"] for v in variants for r in res["runs"][f"book_{v}"])
    statuses = [booked.status_code, cancelled.status_code, rebooked.status_code]
    errors = sum(r["non2xx"] for rs in res["runs"].values() for r in rs)
    return {"figure": "P2", "raw": {**res, "week_page_bytes": len(week),
                                    "class_page_bytes": len(class_page),
                                    "book_fragment_bytes": len(booked.content),
                                    "cancel_fragment_bytes": len(cancelled.content),
                                    "statuses": statuses, "class_id": cls,
                                    "booked_classes": {v: len(c) for v, c in
                                                       booked_classes.items()},
                                    "bookers": len(bookers)},
            "checks": [
                check("fragment bytes / week page bytes", ratio, "<= 0.10", ratio <= 0.10),
                check("book POST rps / write floor rps, pass required", speed["pass"],
                      ">= 0.50", speed["pass"] >= 0.50),
                check("book POST rps / write floor rps, free", speed["free"], ">= 0.50",
                      speed["free"] >= 0.50),
                check("every measured POST made a booking (fewest per run)", made, "1.00",
                      made >= 0.999),
                check("book/cancel answered 200, wrk non-2xx", f"{statuses} / {errors}", "200s / 0",
                      statuses == [200, 200, 200] and errors == 0),
                info("write floor rps", floor),
                info("book POST rps, pass required / free",
                     m["book_pass"]["rps"] / m["book_free"]["rps"]),
                info("book POST (pass) rps / week page GET rps (br)", vs_week),
                info("fragment bytes / class page bytes", class_ratio),
                info("book POST (pass) rps / class page GET rps (br)", class_speed),
                info("POST for a class already booked (double tap) rps / week page rps",
                     repeat_speed)]}


def _requests_file(name: str, paths: list[str], bookers: list[User]) -> Path:
    """wrk's requests, class-major (neighbours lock other classes): every booker POSTs each
    path in turn, with their cookie and CSRF token."""
    requests_file = ROOT / "instance" / f"bench-{name}-requests.tsv"
    requests_file.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for k in range(len(paths) * len(bookers)):
        booker = bookers[(k // len(paths)) % len(bookers)]
        lines.append("\t".join([paths[k % len(paths)], f"Cookie: {booker.cookie}",
                                 f"X-CSRFToken: {booker.csrf}"]))
    requests_file.write_text("\n".join(lines) + "\n")
    return requests_file


def _forget(database: str, classes: list[int]) -> None:
    with pg(database) as conn:
        _forget_bookings(conn, classes)


def _bookings_made(database: str, classes: list[int], result: dict) -> dict:
    with pg(database) as conn:
        made = conn.execute("SELECT count(*) FROM bookings WHERE class_id = ANY(%s)",
                            (classes,)).fetchone()[0]
    return {"bookings_made": made, "made_per_post": made / max(result["requests"], 1)}


def _studio(conn, slug: str, *, requires_pass: bool) -> tuple[int, int, int]:
    """The studio `slug` (made on first use) with its location and class type: ids. A studio
    that requires a pass sells one plan, a pack of a million credits."""
    if not conn.execute("SELECT 1 FROM studios WHERE slug = %s", (slug,)).fetchone():
        sid = conn.execute(
            "INSERT INTO studios (slug, name, default_language, booking_opens_days,"
            " booking_closes_minutes, cancel_cutoff_minutes, waitlist_mode, offer_hold_minutes,"
            " booking_requires_pass, created_at) VALUES (%s, %s, 'en', 14, 0, 720, 'auto', 60,"
            " %s, now()) RETURNING id", (slug, json.dumps({"en": slug}), requires_pass)
        ).fetchone()[0]
        lid = conn.execute("INSERT INTO locations (studio_id, name, timezone, currency,"
                           " address, created_at)"
                           " VALUES (%s, '{\"en\": \"Main\"}', 'America/Toronto',"
                           " 'CAD', '', now()) RETURNING id", (sid,)).fetchone()[0]
        conn.execute("UPDATE studios SET default_location_id = %s WHERE id = %s", (lid, sid))
        conn.execute("INSERT INTO class_types (studio_id, name, description, duration_minutes,"
                     " color, created_at) VALUES (%s, '{\"en\": \"Hot\"}', '{}', 60, '#000000',"
                     " now())", (sid,))
        if requires_pass:
            conn.execute("INSERT INTO plans (studio_id, kind, name, description, price_minor,"
                         " currency, credits, validity_start, eligible_class_type_ids, active,"
                         " created_at) VALUES (%s, 'class_pack', '{\"en\": \"Bench pack\"}',"
                         " '{}', 0, 'CAD', 1000000, 'purchase', '[]', true, now())", (sid,))
    return conn.execute(
        "SELECT s.id, l.id, t.id FROM studios s JOIN locations l ON l.studio_id = s.id"
        " JOIN class_types t ON t.studio_id = s.id WHERE s.slug = %s", (slug,)).fetchone()


def _give_passes(database: str, slug: str, emails: list[str]) -> None:
    """A pass of the studio's pack (a million credits) for each customer who has none."""
    with pg(database) as conn:
        conn.execute(
            "WITH p AS (INSERT INTO passes (studio_id, customer_id, plan_id, credits_total,"
            " starts_at, status, cancel_at_period_end, created_at)"
            " SELECT s.id, u.id, pl.id, pl.credits, now() - interval '1 day', 'active', false,"
            " now() FROM studios s JOIN plans pl ON pl.studio_id = s.id"
            " JOIN users u ON u.email = ANY(%s) WHERE s.slug = %s AND NOT EXISTS ("
            " SELECT 1 FROM passes x WHERE x.studio_id = s.id AND x.customer_id = u.id)"
            " RETURNING id, studio_id, credits_total)"
            " INSERT INTO credit_entries (studio_id, pass_id, delta, reason, created_at)"
            " SELECT studio_id, id, credits_total, 'purchase', now() FROM p", (emails, slug))


def _forget_bookings(conn, classes: list[int]) -> None:
    """Delete the bookings of these classes, and the credits they took (given back)."""
    conn.execute("DELETE FROM credit_entries WHERE booking_id IN"
                 " (SELECT id FROM bookings WHERE class_id = ANY(%s))", (classes,))
    conn.execute("DELETE FROM bookings WHERE class_id = ANY(%s)", (classes,))


def _fresh_classes(database: str, slug: str, count: int, *, capacity: int = 10,
                   days: int = 2, requires_pass: bool = False) -> list[int]:
    """`count` fresh classes of `capacity` spots in the studio `slug` (made on first use),
    `days` ahead, a minute apart."""
    with pg(database) as conn:
        sid, lid, tid = _studio(conn, slug, requires_pass=requires_pass)
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
        return [conn.execute(
            "INSERT INTO classes (studio_id, class_type_id, location_id, starts_at, ends_at,"
            " capacity, status, created_at) VALUES (%s, %s, %s, %s, %s, %s, 'scheduled', now())"
            " RETURNING id", (sid, tid, lid, start + timedelta(minutes=i),
                              start + timedelta(minutes=i + 60), capacity)).fetchone()[0]
            for i in range(count)]


def rush(url: str, slug: str, users: list[User], class_ids: list[int]) -> dict:
    """The page-then-rush: every customer loads their class's page (as a browser, br), then all
    of them POST the booking at once, each from a thread and a connection of their own. Times
    from the moment the last page has loaded to the last answer."""
    for u in users:  # gunicorn drops idle keep-alive connections after 2 s: start fresh
        u.http.close()
    released: list[float] = []
    ready = threading.Barrier(len(users), action=lambda: released.append(time.perf_counter()))

    def one(u: User, c: int):
        page = u.http.get(f"{url}/s/{slug}/classes/{c}", headers=BROWSER)
        ready.wait(timeout=120)
        answer = u.http.post(f"{url}/s/{slug}/classes/{c}/book", headers=u.post_headers())
        return page, answer, time.perf_counter()

    with ThreadPoolExecutor(len(users)) as pool:
        done = list(pool.map(one, users, class_ids))
    seconds = max(t for _p, _a, t in done) - released[0]
    answers = [a for _p, a, _t in done]
    return {"seconds": seconds, "rps": len(users) / seconds, "answers": answers,
            "pages_ok": all(p.status_code == 200 for p, _a, _t in done),
            "errors_5xx": sum(a.status_code >= 500 for a in answers)}


def p3(servers: dict, database: str, opt, users: list[User]) -> dict:
    """The rush, page-then-rush (rush()): 200 customers on the last 10 spots of one class
    against the same 200 bookings spread over 200 classes, in a studio that needs no pass and
    in one that requires a pass (each customer holds one), under each worker setting
    (`servers`: the Procfile's first, then the alternative)."""
    checks, detail, times = [], [], {}
    all_exact = True
    for setting, srv in servers.items():
        for variant in ("free", "pass"):
            slug = P3_SLUG + ("pass" if variant == "pass" else "")
            if variant == "pass":
                _studio_ready(database, slug)
                _give_passes(database, slug, [u.email for u in users])
            ratios, exact, rush_s = [], True, []
            for _ in range(opt.p3_runs):
                hot = _fresh_classes(database, slug, 1, requires_pass=variant == "pass")[0]
                spread = _fresh_classes(database, slug, len(users),
                                        requires_pass=variant == "pass")
                h = rush(srv.url, slug, users, [hot] * len(users))
                s = rush(srv.url, slug, users, spread)
                with pg(database) as conn:
                    rows = dict(conn.execute("SELECT status, count(*) FROM bookings"
                                             " WHERE class_id = %s GROUP BY status",
                                             (hot,)).fetchall())
                told = sorted(int(m.group(1)) for r in h["answers"]
                              if (m := POSITION.search(r.text)))
                errors = h["errors_5xx"] + s["errors_5xx"]
                ok = (rows.get("confirmed") == 10 and rows.get("waitlisted") == 190
                      and len(rows) == 2 and told == list(range(1, 191)) and errors == 0
                      and h["pages_ok"] and s["pages_ok"]
                      and all(r.status_code == 200 for r in h["answers"] + s["answers"]))
                exact &= ok
                ratios.append(h["rps"] / s["rps"])
                rush_s.append(h["seconds"])
                detail.append({"setting": setting, "variant": variant, "hot_class": hot,
                               "db_counts": rows, "positions_told": len(told),
                               "positions_are_1_to_190": told == list(range(1, 191)),
                               "errors_5xx": errors, "hot_seconds": h["seconds"],
                               "spread_seconds": s["seconds"], "hot_rps": h["rps"],
                               "spread_rps": s["rps"]})
            all_exact &= exact
            ratio = statistics.median(ratios)
            times[(setting, variant)] = statistics.median(rush_s)
            checks.append(check(f"{setting}, {variant}: 10 confirmed, 190 waitlisted 1..190, "
                                "0 5xx", detail[-1]["db_counts"], "exact", exact))
            target = 0.90 if variant == "pass" else 0.25
            checks.append(check(f"{setting}, {variant}: hot-class rps / spread rps", ratio,
                                f">= {target:.2f}", ratio >= target))
            checks.append(info(f"{setting}, {variant}: rush answered in s (page, then 200 POSTs)",
                               times[(setting, variant)]))
    last = detail[-1]
    return {"figure": "P3", "raw": {"runs": detail,
                                    "rush_seconds": {f"{k[0]}/{k[1]}": v
                                                     for k, v in times.items()}},
            "counts": {"confirmed": last["db_counts"].get("confirmed"),
                       "waitlisted": last["db_counts"].get("waitlisted"),
                       "positions_1_to_190": last["positions_are_1_to_190"],
                       "errors_5xx": last["errors_5xx"]},
            "checks": [check("every rush exact (all settings and variants)", all_exact, "True",
                             all_exact), *checks]}


def _studio_ready(database: str, slug: str) -> None:
    with pg(database) as conn:
        _studio(conn, slug, requires_pass=True)


def p4(servers: dict, users: dict, opt) -> dict:
    targets = {}
    for scale, srv in servers.items():
        h = {"Cookie": users[scale].cookie, **BROWSER}
        targets[f"schedule_{scale}"] = dict(url=srv.url + SCHEDULE, headers=h)
        targets[f"my_bookings_{scale}"] = dict(url=srv.url + "/me/bookings", headers=h)
    res = _side_by_side(opt.runs, opt.seconds, targets)
    m = res["median"]
    sql = {}
    for scale, srv in servers.items():
        for page, path in (("schedule", SCHEDULE), ("my_bookings", "/me/bookings")):
            r = users[scale].http.get(srv.url + path)
            sql[f"{page}_{scale}"] = int(r.headers["X-SQL-Count"])
    checks = []
    for page in ("schedule", "my_bookings"):
        ratio = m[f"{page}_large"]["p50_ms"] / m[f"{page}_small"]["p50_ms"]
        checks.append(check(f"{page} p50 large / small", ratio, "<= 1.3", ratio <= 1.3))
        same = sql[f"{page}_large"] == sql[f"{page}_small"]
        checks.append(check(f"{page} SQL statements small, large",
                            f"{sql[f'{page}_small']}, {sql[f'{page}_large']}", "equal", same))
    return {"figure": "P4", "raw": {**res, "sql_per_request": sql}, "checks": checks}


def p5(srv, user: User, database: str, opt) -> dict:
    env = app_env(database)
    env.pop("REDIS_URL")  # a work-horse's e-mail goes to the dev mailbox, not another queue
    out = subprocess.run([PYTHON, "-m", "bench.pdf", str(opt.pdf_runs)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    times = json.loads(out.stdout.strip().splitlines()[-1])
    worker, bare = statistics.median(times["worker_s"]), statistics.median(times["bare_s"])
    speed = bare / worker  # throughput of the worker path relative to bare WeasyPrint
    h = {"Cookie": user.cookie, **BROWSER}
    target = dict(url=srv.url + SCHEDULE, headers=h)
    wrk(**target, seconds=1)
    idle, busy = [], []
    for _ in range(opt.runs):
        idle.append(wrk(**target, seconds=opt.seconds))
        loop = subprocess.Popen([PYTHON, "-m", "bench.pdf", "--loop"], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                start_new_session=True)
        try:
            if loop.stdout.readline().strip() != "rendering":  # imports, app, first PDF
                raise RuntimeError(f"the PDF loop stopped before its first PDF ({loop.wait()})")
            busy.append(wrk(**target, seconds=opt.seconds))
        finally:
            stop(loop)
    web = statistics.median(r["rps"] for r in busy) / statistics.median(r["rps"] for r in idle)
    return {"figure": "P5", "raw": {**times, "web_idle": idle, "web_busy": busy},
            "checks": [
                check("worker-path PDF rate / bare WeasyPrint rate", speed, ">= 0.80",
                      speed >= 0.80),
                check("web rps with a PDF loop / idle", web, ">= 0.70", web >= 0.70)]}


def _transfer(http: requests.Session, url: str, headers: dict) -> tuple[int, requests.Response]:
    """Bytes on the wire for one response: status line + headers + body as encoded."""
    r = http.get(url, headers=headers, stream=True)
    body = r.raw.read(decode_content=False)
    head = len(f"HTTP/1.1 {r.status_code} {r.reason}\r\n") + sum(
        len(k) + len(v) + 4 for k, v in r.headers.items()) + 2
    encoding = r.headers.get("Content-Encoding", "")
    text = (brotli.decompress(body) if encoding == "br"
            else gzip.decompress(body) if encoding == "gzip" else body)
    r._decoded = text
    return head + len(body), r


def _cache_headers(r: requests.Response) -> dict:
    return {k: r.headers.get(k)
            for k in ("Cache-Control", "ETag", "Last-Modified", "Content-Encoding")}


def p6(srv, user: User, opt) -> dict:
    accept = {"Accept-Encoding": "gzip, deflate, br"}
    first, kinds, cache = {}, {}, {}
    size, page = _transfer(user.http, srv.url + SCHEDULE, accept)
    html = page._decoded.decode()
    first[SCHEDULE], kinds[SCHEDULE] = size, "html"
    cache[SCHEDULE], urls = _cache_headers(page), {SCHEDULE: SCHEDULE}
    assets = re.findall(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"', html)
    for path in assets:
        size, r = _transfer(user.http, srv.url + path, accept)
        first[path] = size
        kinds[path] = "js" if path.split("?")[0].endswith(".js") else "css"
        cache[path], urls[path] = _cache_headers(r), path
        if kinds[path] == "css":  # fonts named by the stylesheet
            for font in re.findall(r'url\(["\']?([^"\')]+\.(?:woff2?|ttf|otf))',
                                   r._decoded.decode()):
                urls[font] = (font if font.startswith("/")
                              else "/static/fonts/" + font.rsplit("/", 1)[-1])
                fsize, fr = _transfer(user.http, srv.url + urls[font], accept)
                first[font], kinds[font], cache[font] = fsize, "font", _cache_headers(fr)
    # Repeat visit, as a browser makes it: nothing for what its cache headers keep fresh, a
    # conditional request (If-None-Match / If-Modified-Since) for what it stored but must
    # revalidate (the page: private, no-cache), the whole response for what it may not store.
    repeat, statuses = {}, {}
    for path, headers in cache.items():
        cc = headers["Cache-Control"] or ""
        fresh = "max-age=" in cc and "no-cache" not in cc and "max-age=0" not in cc
        if fresh and "no-store" not in cc:
            repeat[path] = 0
            continue
        cond = {**accept}
        if headers["ETag"] and "no-store" not in cc:
            cond["If-None-Match"] = headers["ETag"]
        if headers["Last-Modified"] and "no-store" not in cc:
            cond["If-Modified-Since"] = headers["Last-Modified"]
        repeat[path], r = _transfer(user.http, srv.url + urls[path], cond)
        statuses[path] = r.status_code
    total = sum(first.values())
    js = sum(v for k, v in first.items() if kinds[k] == "js")
    again = sum(repeat.values())
    return {"figure": "P6", "raw": {"first": first, "repeat": repeat, "kinds": kinds,
                                    "repeat_statuses": statuses, "cache_headers": cache,
                                    "html_encoding": page.headers.get("Content-Encoding")},
            "checks": [
                check("first visit KB (HTML+CSS+JS+fonts, as served)", total / 1024, "<= 100",
                      total <= 100 * 1024),
                check("first visit JS KB", js / 1024, "<= 25", js <= 25 * 1024),
                check("repeat visit / first", again / total, "<= 0.10", again <= 0.10 * total)]}


CUSTOMERS = "/manage/bench/customers"
# What the desk types: a full name without its hamza, a first name with a Latin accent left
# off, and digits of a phone number in Arabic-Indic digits.
P11_SEARCHES = {"name": "احمد الغامدي", "latin": "chloe tremblay", "phone": "٠٥٥ ١٢٣"}


def _worker_peaks(srv) -> dict[int, int]:
    """Peak resident memory (VmHWM, kB) of each gunicorn worker of `srv`."""
    peaks = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if int(fields.get("PPid", "0")) == srv.proc.pid and "VmHWM" in fields:
            peaks[int(status.parent.name)] = int(fields["VmHWM"].split()[0])
    return peaks


def _csv_growth(srv, user: User, query: str) -> tuple[int, int]:
    """(rows, peak RSS growth in kB of the workers) for one CSV download, streamed through."""
    before = _worker_peaks(srv)
    rows = 0
    with user.http.get(srv.url + CUSTOMERS + ".csv" + query, stream=True) as r:
        r.raise_for_status()
        for chunk in r.iter_lines():
            rows += bool(chunk)
    after = _worker_peaks(srv)
    return rows - 1, max(after[pid] - before.get(pid, after[pid]) for pid in after)


def p11(servers: dict, users: dict, opt) -> dict:
    """The customers list searched at 100,000 customers against 1,000, and the CSV of all of
    them streamed with flat memory."""
    from urllib.parse import quote

    targets = {}
    for scale, srv in servers.items():
        h = {"Cookie": users[scale].cookie}
        for kind, typed in P11_SEARCHES.items():
            targets[f"{kind}_{scale}"] = dict(url=f"{srv.url}{CUSTOMERS}?q={quote(typed)}",
                                              headers=h)
    res = _side_by_side(opt.runs, opt.seconds, targets)
    m = res["median"]
    checks, sql, found = [], {}, {}
    for scale, srv in servers.items():
        for kind, typed in P11_SEARCHES.items():
            r = users[scale].http.get(f"{srv.url}{CUSTOMERS}", params={"q": typed})
            sql[f"{kind}_{scale}"] = int(r.headers["X-SQL-Count"])
            found[f"{kind}_{scale}"] = r.text.count('class="customer-row"')
    for kind in P11_SEARCHES:
        ratio = m[f"{kind}_large"]["p50_ms"] / m[f"{kind}_small"]["p50_ms"]
        checks.append(check(f"search '{kind}' p50 large / small", ratio, "<= 1.5", ratio <= 1.5))
        same = sql[f"{kind}_large"] == sql[f"{kind}_small"]
        checks.append(check(f"search '{kind}' SQL statements small, large",
                            f"{sql[f'{kind}_small']}, {sql[f'{kind}_large']}", "equal", same))
    big, small = servers["large"], servers["small"]
    _csv_growth(big, users["large"], "?tag=vip")  # warm-up: imports, plans, the first chunk
    _csv_growth(small, users["small"], "")
    small_rows, small_kb = _csv_growth(small, users["small"], "")
    rows, grown_kb = _csv_growth(big, users["large"], "")
    checks += [
        check("CSV rows (large)", rows, "= customers", rows == opt.large_customers),
        check("CSV worker peak RSS growth MB, all customers (large)", grown_kb / 1024,
              "<= 20", grown_kb <= 20 * 1024),
        info("CSV worker peak RSS growth MB, small", small_kb / 1024)]
    return {"figure": "P11", "raw": {**res, "sql_per_request": sql, "rows_shown": found,
                                     "csv": {"large_rows": rows, "large_growth_kb": grown_kb,
                                             "small_rows": small_rows,
                                             "small_growth_kb": small_kb}},
            "checks": checks}
