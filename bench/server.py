"""The app under gunicorn, and its RQ worker, each in its own process group, stopped for sure
(even on failure)."""

import atexit
import os
import signal
import socket
import subprocess
import time
import urllib.request

from redis import Redis
from rq import Worker as RQWorker

from bench.config import BIN, PYTHON, REDIS_URL, ROOT, SECRET_KEY, db_url

_running: list[subprocess.Popen] = []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(database: str, **extra) -> dict:
    env = {**os.environ, "DATABASE_URL": db_url(database), "REDIS_URL": REDIS_URL,
           "SECRET_KEY": SECRET_KEY, "LOGIN_LIMIT": "100000 per minute",
           "FITFLOW_INSTANCE": str(ROOT / "instance" / "bench"), "BASE_URL": "http://127.0.0.1"}
    env.update(extra)
    return env


class Server:
    """`with Server(db) as srv:` gunicorn -w 2 --threads 4 serving bench.wsgi (the app and the
    control routes) on a free port; srv.url.

    `balanced`: each worker holds at most `threads` connections. wrk keeps its 8 connections
    open, and without a cap they fall unevenly on the workers (8/0 as often as 4/4), so a run
    would measure one worker's GIL or two, by chance (docs/benchmarks.md). A proxy's short
    connections spread evenly by themselves; this makes wrk's do too. Python
    clients then must not hold idle keep-alive connections (bench.client.User closes each).

    `env`: extra environment (the drills point REDIS_URL at a Redis of their own)."""

    def __init__(self, database: str, workers: int = 2, threads: int = 4, env: dict | None = None,
                 balanced: bool = False):
        self.database, self.workers, self.threads = database, workers, threads
        self.balanced = balanced
        self.env = env or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def __enter__(self):
        log = open(ROOT / "instance" / f"bench-gunicorn-{self.port}.log", "wb")
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(self.workers), "--threads", str(self.threads),
             *(["--worker-connections", str(self.threads)] if self.balanced else []),
             "-b", f"127.0.0.1:{self.port}", "--timeout", "60", "bench.wsgi:app"],
            cwd=ROOT, env=app_env(self.database, **self.env), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        _running.append(self.proc)
        # A loaded shared machine may need longer: BENCH_START_SECONDS.
        deadline = time.monotonic() + float(os.environ.get("BENCH_START_SECONDS", 30))
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {log.name}")
            try:
                urllib.request.urlopen(self.url + "/_bench/hello", timeout=2).read()
                return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer in time (BENCH_START_SECONDS)")

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        stop(self.proc)


class Worker:
    """`with Worker(db, name, *queues) as w:` runs `python -m workers` (as the Procfile does)
    on a bench database, ready to take jobs; w.path is its log. `env`: extra environment
    (the drills point REDIS_URL at a Redis of their own)."""

    def __init__(self, database: str, name: str, *queues: str, env: dict | None = None,
                 start_timeout: float = 60):
        self.env = env or {}
        self.start_timeout = start_timeout
        self.redis_url = self.env.get("REDIS_URL", REDIS_URL)
        self.path = ROOT / "instance" / f"bench-{name}-worker.log"
        self.args = [PYTHON, "-m", "workers", *queues]
        self.database = database
        self.proc: subprocess.Popen | None = None

    def __enter__(self):
        redis = Redis.from_url(self.redis_url)
        before = RQWorker.count(connection=redis)
        self.proc = subprocess.Popen(self.args, cwd=ROOT, env=app_env(self.database, **self.env),
                                     stdout=open(self.path, "wb"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        _running.append(self.proc)
        deadline = time.monotonic() + self.start_timeout
        while RQWorker.count(connection=redis) <= before:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the worker did not start; see {self.path}")
            time.sleep(0.1)
        return self

    def __exit__(self, *exc):
        self.stop()

    def output(self) -> str:
        return self.path.read_text(errors="replace")

    def stop(self):
        stop(self.proc)


def stop(proc: subprocess.Popen | None) -> None:
    """SIGTERM the process group, SIGKILL it after 10 s."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


@atexit.register
def _stop_all():
    for proc in _running:
        stop(proc)
