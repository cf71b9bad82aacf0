"""P12, the reminder fan-out and the calendar feed.

10,000 class reminders (1,000 with --quick) fall due in the same minute: half the people are
in a zone where it is night (their reminder is deferred to 08:00 there), half where it is day
(theirs goes now). The real worker (`python -m workers`, whose start runs the sweep) sends to a
local SMTP server (aiosmtpd) in this process; the sweep then runs a second time. Checked: each
daytime reminder arrives exactly once, each night one is deferred to exactly the end of the
quiet hours and not sent, the worker's send rate against a bare smtplib loop (one connection
per message, as the app sends a message by itself) to the same server in the same run, and
the week page's throughput while the fan-out runs against idle. Then a feed of a year of bookings
(/feeds/<secret>.ics) against the week page, both by wrk.
"""

import os
import re
import smtplib
import statistics
import threading
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from aiosmtpd.controller import Controller
from redis import Redis
from rq import Queue

from bench.client import wrk
from bench.config import REDIS_URL
from bench.figures import BROWSER, SCHEDULE, check, info, pg
from bench.server import Worker, free_port

FEED_LINK = re.compile(r"/feeds/([A-Za-z0-9_\-]+)\.ics")
CLASS_LINK = re.compile(r"/classes/(\d+)")


class Inbox:
    """Counts what arrives: every message's arrival time, and the messages to the `watched`
    recipients kept whole, to be sorted out after the run (`reminders`): the worker's start
    also sends what else is due in the bench data, to the same people."""

    def __init__(self):
        self.lock = threading.Lock()
        self.times: list[float] = []
        self.kept: list[tuple[float, str, bytes]] = []
        self.watched: set[str] | None = None

    async def handle_DATA(self, server, session, envelope):
        now = time.perf_counter()
        with self.lock:
            self.times.append(now)
            if self.watched is not None:
                self.kept += [(now, r, envelope.content) for r in envelope.rcpt_tos
                              if r in self.watched]
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.times)

    def rate(self, since: int = 0) -> float:
        """Messages per second between the first and the last arrival after `since`."""
        with self.lock:
            times = self.times[since:]
        return _rate(times)

    def reminders(self, classes: set[int]) -> tuple[dict[str, int], float]:
        """Reminders of `classes` received per recipient, and their rate (messages/s from the
        first to the last)."""
        with self.lock:
            kept = list(self.kept)
        by_rcpt: dict[str, int] = {}
        times = []
        for at, rcpt, content in kept:
            msg = message_from_bytes(content, policy=policy.default)
            found = CLASS_LINK.search(msg.get_body(("plain",)).get_content())
            if found and int(found.group(1)) in classes:
                by_rcpt[rcpt] = by_rcpt.get(rcpt, 0) + 1
                times.append(at)
        return by_rcpt, _rate(sorted(times))


def _rate(times: list[float]) -> float:
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0


def zones(now: datetime) -> tuple[str, str]:
    """A fixed-offset zone where it is deep night now (quiet hours 22–08) and one where it is
    the middle of the day, so no reminder sits on a boundary."""
    night = day = None
    for hours in range(-12, 15):
        name = f"Etc/GMT{-hours:+d}" if hours else "UTC"
        local = now.astimezone(ZoneInfo(name)).hour
        if night is None and local in (0, 1, 2, 3, 4, 5):
            night = name
        if day is None and local in (11, 12, 13, 14, 15):
            day = name
    return night, day


def quiet_end(now: datetime, zone: str) -> datetime:
    """08:00 local after `now` in `zone` (the default quiet hours' end), in UTC."""
    local = now.astimezone(ZoneInfo(zone))
    end = local.replace(hour=8, minute=0, second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    return end.astimezone(UTC)


def setup(database: str, people: int, classes: int, now: datetime) -> dict:
    """`classes` classes starting 24 h minus a minute from now, each booked by the same
    `people` bench customers (booked two days ago): people × classes reminders due now."""
    night, day = zones(now)
    start = now + timedelta(hours=24) - timedelta(minutes=1)
    with pg(database) as conn:
        users = [r[0] for r in conn.execute(
            "SELECT id FROM users WHERE email LIKE 'bench%%@example.com' ORDER BY id DESC"
            " LIMIT %s", (people,))]
        half = len(users) // 2
        conn.execute("UPDATE users SET timezone = %s WHERE id = ANY(%s)", (night, users[:half]))
        conn.execute("UPDATE users SET timezone = %s WHERE id = ANY(%s)", (day, users[half:]))
        conn.execute("DELETE FROM notification_preferences WHERE user_id = ANY(%s)", (users,))
        ids = [conn.execute(
            "INSERT INTO classes (studio_id, class_type_id, location_id, starts_at, ends_at,"
            " capacity, spots_taken, status, created_at) VALUES (1, 1, 1, %s, %s, %s, %s,"
            " 'scheduled', now()) RETURNING id",
            (start, start + timedelta(hours=1), len(users), len(users))).fetchone()[0]
            for _ in range(classes)]
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO bookings (studio_id, class_id, customer_id, status, note,"
                " created_at) VALUES (1, %s, %s, 'confirmed', '', %s)",
                [(c, u, now - timedelta(days=2)) for c in ids for u in users])
        emails = dict(conn.execute("SELECT id, email FROM users WHERE id = ANY(%s)", (users,)))
        bookings = [r[0] for r in conn.execute("SELECT id FROM bookings WHERE class_id = ANY(%s)",
                                               (ids,))]
    return {"classes": ids, "bookings": bookings, "night": users[:half], "day": users[half:],
            "emails": emails, "night_zone": night, "day_zone": day,
            "night_until": quiet_end(now, night)}


def cleanup(database: str, made: dict) -> None:
    with pg(database) as conn:
        conn.execute("DELETE FROM notifications WHERE dedup_key LIKE 'reminder:%%'"
                     " AND user_id = ANY(%s)", (made["night"] + made["day"],))
        conn.execute("DELETE FROM bookings WHERE class_id = ANY(%s)", (made["classes"],))
        conn.execute("DELETE FROM classes WHERE id = ANY(%s)", (made["classes"],))
        conn.execute("UPDATE users SET timezone = NULL WHERE id = ANY(%s)",
                     (made["night"] + made["day"],))


def bare_rate(port: int, inbox: Inbox, count: int) -> float:
    """A plain smtplib loop, one connection per message (as the app sends a message by itself),
    messages of the size of a reminder: messages per second."""
    since = inbox.count()
    for i in range(count):
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = "bench@example.com", "loop@example.com", f"{i}"
        msg.set_content("Hello,\n\nSee you soon in this class:\nYoga · Tue · 07:00\n" * 4)
        msg.add_alternative("<p>Hello,</p><p>See you soon in this class</p>" * 8, subtype="html")
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.send_message(msg)
    return inbox.rate(since)


def states(database: str, made: dict) -> dict:
    """The log rows of this run's reminders: sent and deferred, of the day and the night
    people; night rows deferred to exactly the end of their quiet hours."""
    with pg(database) as conn:
        rows = conn.execute(
            "SELECT user_id = ANY(%s) AS night, status, due_at = %s AS exact, count(*)"
            " FROM notifications WHERE dedup_key LIKE 'reminder:%%' AND user_id = ANY(%s)"
            " AND split_part(dedup_key, ':', 2)::bigint = ANY(%s)"
            " GROUP BY 1, 2, 3", (made["night"], made["night_until"],
                                  made["night"] + made["day"], made["bookings"])).fetchall()
    out: dict = {}
    for night, status, exact, n in rows:
        key = f"{'night' if night else 'day'}_{status}" + ("_exact" if exact else "")
        out[key] = out.get(key, 0) + n
    return out


def year_feed(srv, user, database: str) -> tuple[str, list[int]]:
    """bench customer `user` booked into a class every day of a year (its feed's content);
    the feed's path and the classes made."""
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    with pg(database) as conn:
        uid = conn.execute("SELECT id FROM users WHERE email = %s", (user.email,)).fetchone()[0]
        ids = [conn.execute(
            "INSERT INTO classes (studio_id, class_type_id, location_id, starts_at, ends_at,"
            " capacity, spots_taken, status, created_at) VALUES (1, 1, 1, %s, %s, 5, 1,"
            " 'scheduled', now()) RETURNING id",
            (now + timedelta(days=d, hours=3), now + timedelta(days=d, hours=4))).fetchone()[0]
            for d in range(-180, 185) if abs(d) > 30]  # the measured weeks keep their classes
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO bookings (studio_id, class_id, customer_id, status, note,"
                            " created_at) VALUES (1, %s, %s, 'confirmed', '', now())",
                            [(c, uid) for c in ids])
    user.http.post(srv.url + "/me/calendar/feed", headers=user.post_headers(htmx=False),
                   allow_redirects=False)
    link = FEED_LINK.search(user.http.get(srv.url + "/me/calendar").text)
    return f"/feeds/{link.group(1)}.ics", ids


def p12(srv, user, database: str, opt) -> dict:
    people, classes = (100, 10) if opt.quick else (625, 16)
    if os.environ.get("BENCH_P12_SCALE"):  # "people,classes": a smaller try on a busy box
        people, classes = map(int, os.environ["BENCH_P12_SCALE"].split(","))
    total = people * classes
    inbox = Inbox()
    port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    now = datetime.now(UTC).replace(microsecond=0)
    made = setup(database, people, classes, now)
    day_total = len(made["day"]) * classes
    h = {"Cookie": user.cookie, **BROWSER}
    try:
        bare = statistics.median(bare_rate(port, inbox, min(1000, max(100, total // 10)))
                                 for _ in range(3))
        idle = wrk(srv.url + SCHEDULE, seconds=opt.seconds, headers=h)
        inbox.watched = {made["emails"][u] for u in made["night"] + made["day"]}
        since = inbox.count()
        started = time.perf_counter()
        env = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port)}
        night_total = len(made["night"]) * classes
        with Worker(database, "p12", "default", "notifications", env=env, start_timeout=600):
            while inbox.count() == since and time.perf_counter() - started < 600:
                time.sleep(0.05)
            busy = wrk(srv.url + SCHEDULE, seconds=opt.seconds, headers=h)
            during = inbox.count() - since
            deadline = time.perf_counter() + (600 if not opt.quick else 180)
            while time.perf_counter() < deadline:
                log = states(database, made)
                if (log.get("day_sent", 0) >= day_total and log.get("night_deferred", 0)
                        + log.get("night_deferred_exact", 0) >= night_total):
                    break
                time.sleep(0.5)
            fan_out_s = time.perf_counter() - started
            # The sweep again, as after a restart: nothing more may go out.
            Queue("default", connection=Redis.from_url(REDIS_URL)).enqueue(
                "workers.jobs.notifications.sweep")
            time.sleep(5 if opt.quick else 15)
        by_rcpt, worker_rate = inbox.reminders(set(made["classes"]))
        received = {made["emails"][u]: by_rcpt.get(made["emails"][u], 0)
                    for u in made["night"] + made["day"]}
        log = states(database, made)
        feed_path, feed_classes = year_feed(srv, user, database)
        try:
            week = wrk(srv.url + SCHEDULE, seconds=opt.seconds, headers=h)
            feed = wrk(srv.url + feed_path, seconds=opt.seconds, headers=BROWSER)
        finally:
            with pg(database) as conn:
                conn.execute("DELETE FROM bookings WHERE class_id = ANY(%s)", (feed_classes,))
                conn.execute("DELETE FROM classes WHERE id = ANY(%s)", (feed_classes,))
    finally:
        smtp.stop()
        cleanup(database, made)
    day_once = all(received[made["emails"][u]] == classes for u in made["day"])
    night_none = all(received[made["emails"][u]] == 0 for u in made["night"])
    ratio = worker_rate / bare if bare else 0.0
    busy_ratio = busy["rps"] / idle["rps"]
    feed_ratio = week["rps"] / feed["rps"]  # feed time / week time
    checks = [
        check(f"daytime reminders each arrived once ({day_total})",
              sum(received[made["emails"][u]] for u in made["day"]), str(day_total),
              day_once and log.get("day_sent", 0) == day_total),
        check(f"night reminders deferred to 08:00 exactly, none sent ({night_total})",
              log.get("night_deferred_exact", 0), str(night_total),
              night_none and log.get("night_deferred_exact", 0) == night_total),
        check("worker send rate / bare smtplib loop", ratio, ">= 0.50", ratio >= 0.50),
        check("week page rps during the fan-out / idle", busy_ratio, ">= 0.70",
              busy_ratio >= 0.70),
        check("feed of a year / week page, time per request", feed_ratio, "<= 2.0",
              feed_ratio <= 2.0),
        info("reminders due in the same minute", total),
        info("worker messages/s", worker_rate),
        info("bare smtplib messages/s", bare),
        info("fan-out seconds (every reminder logged)", fan_out_s),
        info("messages sent while wrk ran", during),
        info("week rps idle / busy", f"{idle['rps']:.0f} / {busy['rps']:.0f}"),
        info("feed rps / week rps", f"{feed['rps']:.0f} / {week['rps']:.0f}"),
    ]
    return {"figure": "P12", "checks": checks,
            "counts": {"day_sent": log.get("day_sent", 0),
                       "night_deferred_exact": log.get("night_deferred_exact", 0),
                       "night_received": sum(received[made["emails"][u]]
                                             for u in made["night"]),
                       "day_each_once": day_once},
            "raw": {"log": log, "idle": idle, "busy": busy, "week": week, "feed": feed,
                    "zones": [made["night_zone"], made["day_zone"]]}}
