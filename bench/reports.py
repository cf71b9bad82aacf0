"""P8: the reports at the large scale against the small one, and the CSV of a year of bookings.

The reports page (every report of the period on one page: the last 30 days, and a year) and the
owner's overview, wrk'd side by side at both scales: p50 large / small and the statements each
request ran (X-SQL-Count). Then the bookings CSV of the measured studio's whole year at the
large scale, streamed through: its rows per second against PostgreSQL's own `COPY (the same
SELECT) TO STDOUT` timed in the same run, and the serving workers' peak memory growth
(VmHWM, as P11)."""

import time
from datetime import date, timedelta
from types import SimpleNamespace

from sqlalchemy.dialects import postgresql

from app.reports.forms import ReportFilters
from app.reports.queries.bookings import bookings_statement
from bench.client import User
from bench.figures import _side_by_side, _worker_peaks, check, info, pg

REPORTS = "/manage/bench/reports"
PAGES = {"reports_30_days": REPORTS, "overview": "/manage/?period=this_month"}
YEAR_PAGE = "reports_year"
CSV = REPORTS + "/bookings.csv"


def year(today: date) -> dict:
    """A year around today: every day of the bench's classes, past and coming."""
    return {"start": (today - timedelta(days=182)).isoformat(),
            "end": (today + timedelta(days=183)).isoformat()}


def _query(params: dict) -> str:
    return "?" + "&".join(f"{k}={v}" for k, v in params.items())


def _copy_rate(database: str, params: dict) -> tuple[int, float]:
    """(rows, rows/s) of COPY (the CSV's SELECT) TO STDOUT, read to the end by this process."""
    filters = ReportFilters(date.fromisoformat(params["start"]), date.fromisoformat(params["end"]))
    sql = str(bookings_statement(SimpleNamespace(id=1), filters).compile(
        dialect=postgresql.psycopg.dialect(), compile_kwargs={"literal_binds": True}))
    with pg(database) as conn, conn.cursor() as cur:
        t0 = time.perf_counter()
        rows = 0
        with cur.copy(f"COPY ({sql}) TO STDOUT") as copy:
            for chunk in copy:
                rows += bytes(chunk).count(b"\n")
        return rows, rows / (time.perf_counter() - t0)


def _csv_rate(srv, user: User, params: dict) -> tuple[int, float, int]:
    """(rows, rows/s, peak RSS growth in kB of the workers) for one download read through."""
    before = _worker_peaks(srv)
    rows = 0
    t0 = time.perf_counter()
    with user.http.get(srv.url + CSV, params=params, stream=True) as r:
        r.raise_for_status()
        for chunk in r.iter_content(chunk_size=1 << 16):
            rows += chunk.count(b"\n")
    elapsed = time.perf_counter() - t0
    after = _worker_peaks(srv)
    rows -= 1  # the header
    return rows, rows / elapsed, max(after[pid] - before.get(pid, after[pid]) for pid in after)


def p8(servers: dict, users: dict, databases: dict, opt) -> dict:
    today = date.today()
    pages = {**PAGES, YEAR_PAGE: REPORTS + _query(year(today))}
    targets = {f"{page}_{scale}": dict(url=srv.url + path,
                                       headers={"Cookie": users[scale].cookie})
               for scale, srv in servers.items() for page, path in pages.items()}
    res = _side_by_side(opt.runs, opt.seconds, targets)
    m = res["median"]
    checks, sql = [], {}
    for scale, srv in servers.items():
        for page, path in pages.items():
            r = users[scale].http.get(srv.url + path)
            r.raise_for_status()
            sql[f"{page}_{scale}"] = int(r.headers["X-SQL-Count"])
    for page in pages:
        ratio = m[f"{page}_large"]["p50_ms"] / m[f"{page}_small"]["p50_ms"]
        checks.append(check(f"{page} p50 large / small", ratio, "<= 3", ratio <= 3))
        checks.append(check(f"{page} SQL statements small, large",
                            f"{sql[f'{page}_small']}, {sql[f'{page}_large']}", "equal",
                            sql[f"{page}_small"] == sql[f"{page}_large"]))
        small, large = m[f"{page}_small"]["p50_ms"], m[f"{page}_large"]["p50_ms"]
        checks.append(info(f"{page} p50 ms small, large", f"{small:.1f}, {large:.1f}"))
    big, params = servers["large"], year(today)
    _csv_rate(big, users["large"], {**params, "end": params["start"]})  # warm-up: one day
    csv_runs, copy_runs = [], []
    for _ in range(opt.p8_csv_runs):  # in turn: both see the machine's load alike
        csv_runs.append(_csv_rate(big, users["large"], params))
        copy_runs.append(_copy_rate(databases["large"], params))
    rows, rate, grown = max(csv_runs, key=lambda r: r[1])
    copied, copy_rate = max(copy_runs, key=lambda r: r[1])
    growth = max(r[2] for r in csv_runs)
    checks += [
        check("bookings CSV rows (large, a year) = COPY rows", f"{rows}, {copied}", "equal",
              rows == copied),
        check("bookings CSV rows/s / COPY rows/s", rate / copy_rate, ">= 0.30",
              rate / copy_rate >= 0.30),
        info("bookings CSV rows/s, COPY rows/s", f"{rate:.0f}, {copy_rate:.0f}"),
        check("bookings CSV worker peak RSS growth MB (large)", growth / 1024, "<= 20",
              growth <= 20 * 1024)]
    return {"figure": "P8", "raw": {**res, "sql_per_request": sql,
                                    "csv": {"runs": csv_runs, "copy": copy_runs}},
            "checks": checks}
