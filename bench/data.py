"""Prepare a PostgreSQL database at one scale with COPY, or reuse it when its marker matches.

Schema from the real migrations (`flask db upgrade`), rows by COPY (psycopg 3). Customer 1
(`bench0@example.com`) is the measured customer: booked into every 10th class of the measured
studio's coming week. Every customer has the same cheap argon2 hash, peppered with the bench
server's pepper (the login cost is not what we measure; verification takes the parameters from
the hash).
"""

import json
import os
import random
import subprocess
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

import psycopg
from argon2 import PasswordHasher

from app.config import EMBEDDED_PEPPER
from app.core.search import phone_key, search_text
from app.core.security import peppered_hash
from bench.config import BIN, PASSWORD, PG_ADMIN, PG_HOST, ROOT, Scale, db_url

TZ = "America/Toronto"
SLOTS = [dtime(h, m) for h, m in ((6, 0), (7, 0), (8, 0), (9, 30), (12, 0), (13, 0),
                                  (17, 0), (18, 0), (19, 0), (20, 0))]
CAPACITY = 20
COACHES_PER_STUDIO = 5
VERSION = 4  # bump when the generated shape changes
# Customers' names (P11 searches them): Riyadh and Toronto names, first x last, so each full
# name recurs in proportion to the scale. Customer 0 keeps "Bench 0".
FIRST = ["أحمد", "سارة", "محمد", "نورة", "عبدالله", "فاطمة", "خالد", "آمنة", "عمر", "ريم",
         "Liam", "Emma", "Noah", "Olivia", "Lucas", "Chloé", "Ethan", "Zoë", "Mia", "José"]
LAST = ["الغامدي", "القحطاني", "الحربي", "العتيبي", "الدوسري", "الشهري", "الزهراني", "المطيري",
        "Tremblay", "Roy", "Gagnon", "Côté", "Bouchard", "Smith", "Chen", "Singh"]
DESK_EMAIL = "desk@example.com"  # the measured studio's admin (P11)


def _conninfo(name: str) -> str:
    return f"postgresql://postgres@{PG_HOST}/{name}"


def _marker(scale: Scale) -> dict:
    return {"version": VERSION, "scale": scale.__dict__, "day": date.today().isoformat()}


def _read_marker(scale: Scale) -> dict | None:
    try:
        with psycopg.connect(_conninfo(scale.database)) as conn:
            row = conn.execute("SELECT value FROM bench_marker WHERE key = 'marker'").fetchone()
            counts = conn.execute("SELECT (SELECT count(*) FROM users),"
                                  " (SELECT count(*) FROM bookings),"
                                  " (SELECT count(*) FROM classes WHERE studio_id <= %s)",
                                  (scale.studios,)).fetchone()
    except psycopg.Error:
        return None
    return {"marker": json.loads(row[0]) if row else None, "counts": counts}


def prepare(scale: Scale, *, log=print) -> dict:
    """The database for `scale`, reused when its marker and base row counts still match. Two
    runs preparing the same database at once take turns (an advisory lock on the server): the
    second finds what the first made."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as lock:
        lock.execute("SELECT pg_advisory_lock(hashtext(%s))", (scale.database,))
        try:
            return _prepare(scale, log)
        finally:
            lock.execute("SELECT pg_advisory_unlock(hashtext(%s))", (scale.database,))


def _prepare(scale: Scale, log) -> dict:
    found = _read_marker(scale)
    want = _marker(scale)
    if found and found["marker"]:
        m = found["marker"]
        fresh = (m["version"], m["scale"]) == (want["version"], want["scale"]) and \
            date.fromisoformat(m["day"]) >= date.today() - timedelta(days=5)
        if (fresh and found["counts"][1] >= 0.99 * scale.bookings
                and found["counts"][2] == scale.classes):
            log(f"  reusing {scale.database} (prepared {m['day']})")
            return m
    started = time.perf_counter()
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{scale.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{scale.database}"')
    env = {**os.environ, "DATABASE_URL": db_url(scale.database)}
    env.pop("REDIS_URL", None)
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    _fill(scale, want)
    want["seconds"] = round(time.perf_counter() - started, 1)
    with psycopg.connect(_conninfo(scale.database), autocommit=True) as conn:
        conn.execute("UPDATE bench_marker SET value = %s WHERE key = 'marker'", (json.dumps(want),))
    log(f"  prepared {scale.database} in {want['seconds']} s")
    return want


def _name(kind: str, n: int) -> str:
    if kind != "bench" or n == 0:
        return f"{kind.title()} {n}"
    return f"{FIRST[n % len(FIRST)]} {LAST[n // len(FIRST) % len(LAST)]}"


def _fill(scale: Scale, marker: dict) -> None:
    rnd = random.Random(42)
    now = datetime.now(UTC)
    today = datetime.now(ZoneInfo(TZ)).date()
    pw_hash = peppered_hash(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
                            os.environ.get("PASSWORD_PEPPER") or EMBEDDED_PEPPER, PASSWORD)
    n_coaches = scale.studios * COACHES_PER_STUDIO
    with psycopg.connect(_conninfo(scale.database)) as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE bench_marker (key text PRIMARY KEY, value text NOT NULL)")
        cur.execute("INSERT INTO bench_marker VALUES ('marker', %s)", (json.dumps(marker),))
        with cur.copy("COPY users (id, email, name, password_hash, email_verified_at, is_operator,"
                      " pass_key, created_at, locale) FROM STDIN") as copy:
            for i in range(1, scale.customers + n_coaches + 1):
                kind = "bench" if i <= scale.customers else "coach"
                copy.write_row((i, f"{kind}{i - 1}@example.com", _name(kind, i - 1),
                                pw_hash, now, False, f"{i:032x}", now, "en"))
            desk_id = scale.customers + n_coaches + 1
            copy.write_row((desk_id, DESK_EMAIL, "Desk", pw_hash, now, False, f"{desk_id:032x}",
                            now, "en"))
        coach_ids = list(range(scale.customers + 1, scale.customers + n_coaches + 1))
        class_rows = []
        for s in range(1, scale.studios + 1):
            slug = "bench" if s == 1 else f"bench{s}"
            cur.execute(
                "INSERT INTO studios (id, slug, name, default_language, booking_opens_days,"
                " booking_closes_minutes, cancel_cutoff_minutes, waitlist_mode, offer_hold_minutes,"
                " created_at) VALUES (%s, %s, %s, 'en', 14, 0, 720, 'auto', 60, %s)",
                (s, slug, json.dumps({"en": f"Bench {s}", "ar": f"بنش {s}"}), now))
            cur.execute("INSERT INTO locations (id, studio_id, name, timezone, currency, address,"
                        " created_at, tax_jurisdiction)"
                        " VALUES (%s, %s, %s, %s, 'CAD', '', %s, 'CA-ON')",
                        (s, s, json.dumps({"en": "Main", "ar": "الرئيسي"}), TZ, now))
            cur.execute("UPDATE studios SET default_location_id = %s WHERE id = %s", (s, s))
            for r in range(2):
                cur.execute("INSERT INTO rooms (id, studio_id, location_id, name, capacity,"
                            " created_at) VALUES (%s, %s, %s, %s, 20, %s)",
                            (s * 2 - 1 + r, s, s,
                             json.dumps({"en": f"Room {r}", "ar": f"غرفة {r}"}), now))
            for t in range(5):
                cur.execute("INSERT INTO class_types (id, studio_id, name, description,"
                            " duration_minutes, color, created_at)"
                            " VALUES (%s, %s, %s, %s, 60, '#0f766e', %s)",
                            ((s - 1) * 5 + t + 1, s,
                             json.dumps({"en": f"Type {t}", "ar": f"نوع {t}"}),
                             json.dumps({"en": "A class.", "ar": "حصة."}), now))
            for c in range(COACHES_PER_STUDIO):
                cur.execute("INSERT INTO staff_roles (studio_id, user_id, role, created_at)"
                            " VALUES (%s, %s, 'trainer', %s)",
                            (s, coach_ids[(s - 1) * COACHES_PER_STUDIO + c], now))
            for d in range(-scale.days_back, scale.days_ahead):
                day = today + timedelta(days=d)
                for k, slot in enumerate(SLOTS[:scale.per_day]):
                    starts = datetime.combine(day, slot, tzinfo=ZoneInfo(TZ)).astimezone(UTC)
                    class_rows.append((len(class_rows) + 1, s, (s - 1) * 5 + k % 5 + 1, s,
                                       s * 2 - 1 + k % 2, coach_ids[(s - 1) * 5 + k % 5], starts,
                                       starts + timedelta(hours=1), CAPACITY, "scheduled", now,
                                       s == 1 and 0 <= d < 7 and k % 3 == 0))
        with cur.copy("COPY classes (id, studio_id, class_type_id, location_id, room_id, coach_id,"
                      " starts_at, ends_at, capacity, status, created_at) FROM STDIN") as copy:
            for row in class_rows:
                copy.write_row(row[:-1])
        cur.execute("INSERT INTO staff_roles (studio_id, user_id, role, created_at)"
                    " VALUES (1, %s, 'studio_admin', %s)", (desk_id, now))
        # Every customer is a customer of the measured studio, with the studio's record.
        with cur.copy("COPY studio_customers (studio_id, user_id, created_at, phone, phone_key,"
                      " emergency_contact, tags, tag_keys, search) FROM STDIN") as copy:
            for i in range(1, scale.customers + 1):
                phone = f"05{i % 10} {i % 1000:03d} {i // 1000 % 10000:04d}"
                tags = ["vip"] if i % 50 == 0 else []
                name, email = _name("bench", i - 1), f"bench{i - 1}@example.com"
                copy.write_row((1, i, now, phone, phone_key(phone), "", json.dumps(tags),
                                "|vip|" if tags else "", search_text(name, email, phone=phone)))
        # Bulk rows skip the bookings trigger that keeps spots taken and the reports' summaries
        # (several statements per booking); one recount after the COPY sets them.
        cur.execute("SET LOCAL session_replication_role = replica")
        per_class, extra = divmod(scale.bookings, len(class_rows))
        customers = range(1, scale.customers + 1)
        with cur.copy("COPY bookings (id, studio_id, class_id, customer_id, status, booked_by_id,"
                      " cancelled_at, cancel_reason, note, created_at) FROM STDIN") as copy:
            bid = 0
            for idx, row in enumerate(class_rows):
                cid, studio_id, starts, mine = row[0], row[1], row[6], row[-1]
                n = per_class + (1 if idx < extra else 0)
                people = rnd.sample(customers, n)
                if mine:
                    people = [1] + [p for p in people if p != 1][: n - 1]
                elif 1 in people:
                    people.remove(1)
                past = starts < now
                for j, person in enumerate(people):
                    roll = rnd.random()
                    if roll < 0.1:
                        status, reason = "cancelled", "customer"
                    elif past:
                        status, reason = ("no_show" if roll > 0.95 else "attended"), None
                    else:
                        status, reason = ("confirmed" if j < CAPACITY else "waitlisted"), None
                    bid += 1
                    copy.write_row((bid, studio_id, cid, person, status, person,
                                    now if reason else None, reason, "",
                                    starts - timedelta(days=3)))
        cur.execute("SET LOCAL session_replication_role = origin")
        cur.execute("SELECT report_summaries_rebuild()")  # spots taken and the reports' tallies
        for table in ("users", "studios", "locations", "rooms", "class_types", "classes",
                      "bookings", "staff_roles", "studio_customers"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                        f" (SELECT max(id) FROM {table}))")
        conn.commit()
    with psycopg.connect(_conninfo(scale.database), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
