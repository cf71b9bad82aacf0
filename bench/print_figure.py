"""P9, bulk printing: pages/s through the print job against bare WeasyPrint on the same HTML,
the first progress a polling page can see, the week page while a run prints, and the worker's
peak memory for a big run against a small one (bench/printing.py runs each in its own
process)."""

import json
import statistics
import subprocess
import time

from bench.client import User, wrk
from bench.config import PYTHON, ROOT
from bench.figures import BROWSER, SCHEDULE, check, info
from bench.server import app_env, stop


def _printing(database: str, n: int, *args: str) -> dict:
    out = subprocess.run([PYTHON, "-m", "bench.printing", str(n), *args], cwd=ROOT,
                         env=app_env(database), capture_output=True, text=True, timeout=3600)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def _web_while_printing(srv, user: User, database: str, n: int, opt) -> tuple[list, list]:
    """The week page's throughput idle, then while a run of `n` prints (its process stopped
    once measured; each busy measurement starts and ends inside the run)."""
    target = dict(url=srv.url + SCHEDULE, headers={"Cookie": user.cookie, **BROWSER})
    wrk(**target, seconds=1)
    idle = [wrk(**target, seconds=opt.seconds) for _ in range(opt.runs)]
    run = subprocess.Popen([PYTHON, "-m", "bench.printing", str(n), "--web"], cwd=ROOT,
                           env=app_env(database), stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    busy = []
    try:
        if run.stdout.readline().strip() != "printing":
            raise RuntimeError(f"the print run did not start ({run.wait()})")
        for _ in range(opt.runs):
            busy.append(wrk(**target, seconds=opt.seconds))
            if run.poll() is not None:
                raise RuntimeError("the print run ended before the web was measured: more "
                                   "invoices or shorter measurements")
    finally:
        stop(run)
    return idle, busy


def p9(srv, user: User, database: str, opt) -> dict:
    small, big = (10, 100) if opt.quick else (50, 500)
    few = _printing(database, small, "--no-bare")  # its memory only
    many = _printing(database, big)
    speed = (many["pages"] / many["worker_s"]) / (many["bare_pages"] / many["bare_s"])
    memory = many["peak_rss_kb"] / few["peak_rss_kb"]
    with_pool = many["peak_total_mb"] / few["peak_total_mb"]
    t0 = time.perf_counter()
    idle, busy = _web_while_printing(srv, user, database, big, opt)
    web = statistics.median(r["rps"] for r in busy) / statistics.median(r["rps"] for r in idle)
    first = many["first_progress_s"]
    return {"figure": "P9", "raw": {"small": few, "large": many, "web_idle": idle,
                                    "web_busy": busy,
                                    "web_seconds": round(time.perf_counter() - t0, 1)},
            "counts": {"pages": many["pages"], "bare_pages": many["bare_pages"]},
            "checks": [
                check(f"print job pages/s / bare WeasyPrint, {big} invoices", speed, ">= 0.80",
                      speed >= 0.80),
                check("first progress seen after the start (s)", first, "<= 2.0",
                      first is not None and first <= 2.0),
                check("week page rps while a run prints / idle", web, ">= 0.70", web >= 0.70),
                check(f"worker peak RSS, {big} / {small} invoices", memory, "<= 1.30",
                      memory <= 1.30),
                check(f"worker + render children RSS, {big} / {small}", with_pool, "<= 1.30",
                      with_pool <= 1.30),
                info(f"pages/s print job ({big})", many["pages"] / many["worker_s"]),
                info(f"pages/s bare WeasyPrint ({big})", many["bare_pages"] / many["bare_s"]),
                info(f"peak RSS MB ({small} / {big})",
                     f"{few['peak_rss_kb'] / 1024:.0f} / {many['peak_rss_kb'] / 1024:.0f}"),
                info(f"with render children MB ({small} / {big})",
                     f"{few['peak_total_mb']:.0f} / {many['peak_total_mb']:.0f}"),
                info(f"a render child's peak MB ({small} / {big})",
                     f"{few['peak_child_mb']:.0f} / {many['peak_child_mb']:.0f}")]}
