"""Scales, paths and service addresses of the harness."""

import hashlib
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(sys.executable).parent
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_HOST = PG_ADMIN.split("@", 1)[1].rsplit("/", 1)[0]
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
SECRET_KEY = "bench-secret-not-for-production"
PASSWORD = "bench-pass"
RESULTS = ROOT / "bench" / "results.json"


# The schema a database was built with is part of its name: checkouts on different migrations
# never reuse (or drop) each other's data.
SCHEMA = hashlib.sha1(" ".join(sorted(p.name for p in (ROOT / "migrations" / "versions")
                                      .glob("*.py"))).encode()).hexdigest()[:8]
# Checkouts measuring side by side on one machine name their databases apart.
SCHEMA += os.environ.get("BENCH_DB_SUFFIX", "")


def db_url(name: str) -> str:
    return f"postgresql+psycopg://postgres@{PG_HOST}/{name}"


@dataclass(frozen=True)
class Scale:
    name: str
    database: str
    customers: int
    bookings: int
    studios: int       # the measured studio is the first; the others make the tables big
    days_back: int
    days_ahead: int
    per_day: int = 10  # classes per studio per day: 70 in the measured week

    @property
    def classes(self) -> int:
        return self.studios * (self.days_back + self.days_ahead) * self.per_day


SMALL = Scale("small", f"fitflow_bench_small_{SCHEMA}", 1_000, 10_000, 1, 28, 28)
LARGE = Scale("large", f"fitflow_bench_large_{SCHEMA}", 100_000, 1_000_000, 10, 182, 183)
QUICK_LARGE = Scale("large", f"fitflow_bench_quick_large_{SCHEMA}", 10_000, 100_000, 2, 91, 91)


@dataclass(frozen=True)
class WorkerSetting:
    """gunicorn's workers and threads per worker (1: the sync worker)."""

    workers: int
    threads: int

    @property
    def name(self) -> str:
        return "threads" if self.threads > 1 else "sync"

    def __str__(self) -> str:
        if self.threads > 1:
            return f"{self.workers} workers x {self.threads} threads"
        return f"{self.workers} sync workers"


def procfile_setting() -> WorkerSetting:
    """The Procfile's web worker setting: the one the figures are measured with."""
    web = next(line for line in (ROOT / "Procfile").read_text().splitlines()
               if line.startswith("web:"))
    workers = re.search(r"--workers[= ](\d+)", web)
    threads = re.search(r"--threads[= ](\d+)", web)
    return WorkerSetting(int(workers[1]) if workers else 1, int(threads[1]) if threads else 1)


def alternative_setting(setting: WorkerSetting) -> WorkerSetting:
    """The other setting the bench compares with the Procfile's: sync for threaded workers,
    4 threads a worker for sync ones, the same number of workers."""
    return WorkerSetting(setting.workers, 1 if setting.threads > 1 else 4)
