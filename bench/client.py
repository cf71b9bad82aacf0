"""HTTP from the harness's side: logins, wrk runs and a threaded driver (never in the app)."""

import json
import os
import re
import shutil
import statistics
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench.config import PASSWORD

WRK = shutil.which("wrk")
LUA = Path(__file__).with_name("wrk.lua")
_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')


def closing_session() -> requests.Session:
    """A requests session whose connections close after each answer: an idle keep-alive
    connection would hold one of a balanced server's few connection slots (bench.server)."""
    session = requests.Session()
    session.headers["Connection"] = "close"
    return session


class User:
    """A signed-in customer: its cookie and CSRF token."""

    def __init__(self, base: str, email: str):
        self.base, self.email = base, email
        self.http = closing_session()
        page = self.http.get(f"{base}/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        r = self.http.post(f"{base}/login", data={"email": email, "password": PASSWORD,
                                                  "csrf_token": token}, allow_redirects=False)
        if r.status_code != 303:
            raise RuntimeError(f"login of {email} failed: {r.status_code}")
        self.csrf = _TOKEN.search(self.http.get(f"{base}/s/bench/schedule").text).group(1)

    @property
    def cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())

    def post_headers(self, htmx: bool = True) -> dict:
        headers = {"X-CSRFToken": self.csrf}
        if htmx:
            headers["HX-Request"] = "true"
        return headers


def wrk(url: str, *, seconds: float = 3, connections: int = 8, threads: int = 2,
        method: str = "GET", body: str = "", headers: dict | None = None,
        requests_file: Path | None = None) -> dict:
    """One wrk run: requests/s, latency percentiles (ms), 5xx count. `requests_file`: lines of
    "path<TAB>Name: value<TAB>…", taken in turn (each thread its share) instead of `url`'s path."""
    lines = "\n".join(f"{k}: {v}" for k, v in (headers or {}).items())
    env = {**os.environ, "BENCH_METHOD": method, "BENCH_BODY": body, "BENCH_HEADERS": lines,
           "BENCH_REQUESTS": str(requests_file or ""), "BENCH_THREADS": str(threads)}
    out = subprocess.run([WRK, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
                          "--timeout", "10s", "-s", str(LUA), url],
                         env=env, capture_output=True, text=True, check=True)
    line = next(x for x in out.stdout.splitlines() if x.startswith("BENCH_JSON "))
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    return {"rps": raw["requests"] / (raw["duration_us"] / 1e6), "p50_ms": raw["p50_us"] / 1e3,
            "p95_ms": raw["p95_us"] / 1e3, "p99_ms": raw["p99_us"] / 1e3,
            "requests": raw["requests"], "non2xx": raw["non2xx"], "errors_5xx": raw["errors_5xx"],
            "errors_4xx": raw["errors_4xx"],
            "socket_errors": raw["socket_errors"]}


def drive(calls, *, workers: int = 8) -> dict:
    """Run callables (each one HTTP request, returning a response) from `workers` threads."""
    latencies, statuses = [], []
    lock = threading.Lock()

    def one(call):
        t0 = time.perf_counter()
        response = call()
        with lock:
            latencies.append(time.perf_counter() - t0)
            statuses.append(response.status_code)
        return response

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        responses = list(pool.map(one, calls))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"rps": len(calls) / elapsed, "seconds": elapsed,
            "p50_ms": statistics.median(latencies) * 1e3,
            "p95_ms": latencies[int(0.95 * (len(latencies) - 1))] * 1e3,
            "errors_5xx": sum(s >= 500 for s in statuses), "responses": responses}


def median_runs(fn, runs: int) -> tuple[dict, list[dict]]:
    """Call fn() `runs` times; the median of every numeric field, and the raw runs."""
    raw = [fn() for _ in range(runs)]
    keys = [k for k, v in raw[0].items() if isinstance(v, int | float)]
    return {k: statistics.median(r[k] for r in raw) for k in keys}, raw
