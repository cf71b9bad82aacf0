"""Fault-drill plumbing: a Redis server of our own to stop and start, `python -m workers` as a
subprocess, PostgreSQL backends by role, and polling with deadlines (never sleep-and-hope).

The shared Redis on 6379 is never touched: every drill runs its own `redis-server` on a free
port (tests/ without persistence; bench/drills.py with an append-only file, as in production).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from redis import Redis

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, *, timeout: float = 30.0, interval: float = 0.05, what: str = "it"):
    """Poll `condition()` until it returns something truthy (returned); fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


class RedisServer:
    """`redis-server` on a free port; stop() and start() it again on the same port.

    persist=False: no persistence, a restart comes back empty (a crashed cache). persist=True:
    an append-only file synced on every write, as production runs it: a restart keeps the queues.
    """

    def __init__(self, persist: bool = False):
        self.persist = persist
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tempfile.mkdtemp(prefix="fitflow-redis-")
        self.proc: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        self.proc = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--dir", self.dir, "--appendonly", "yes" if self.persist else "no",
             "--appendfsync", "always"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self._answers, timeout=10, what=f"redis-server on {self.port}")
        return self

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except OSError:
            return False
        except Exception:  # redis' ConnectionError while it boots
            return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: a clean shutdown (the AOF is complete)
            self.proc.wait(timeout=10)
        self.proc = None

    def client(self) -> Redis:
        return Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=2)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class WorkerProcess:
    """`python -m workers` (RQ worker, scheduler, outbox relay) against the test database."""

    def __init__(self, app, redis_url: str, instance: Path, smtp_port: int | None = None, **env):
        self.env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                    "REDIS_URL": redis_url, "SECRET_KEY": app.config["SECRET_KEY"],
                    "BASE_URL": "http://fitflow.test", "OUTBOX_RELAY_INTERVAL": "0.5",
                    "FITFLOW_INSTANCE": str(instance), **env}
        if smtp_port:
            self.env.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port))
        self.log = Path(self.env["FITFLOW_INSTANCE"]) / "worker.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "workers"], cwd=ROOT, env=self.env,
                                         stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def children(self) -> list[int]:
        """Process ids of the worker's direct children (scheduler, relay, work-horse)."""
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(p) for p in path.read_text().split()] if path.exists() else []

    def stop(self) -> None:
        """Warm shutdown, then cold (RQ kills its work-horse), then SIGKILL the process group."""
        if self.proc is None or self.proc.poll() is not None:
            return
        for sig in (signal.SIGTERM, signal.SIGTERM):
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=5)
                return
            except subprocess.TimeoutExpired:
                pass
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def admin_connection(app) -> psycopg.Connection:
    """An autocommit connection to the test database, outside the app's pool."""
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(url, autocommit=True)


def backends(conn, *, role: str, query_like: str = "%", waiting: bool | None = None) -> list:
    """(pid, application_name, state, query) of this database's backends of one app role."""
    sql = ("SELECT pid, application_name, state, query FROM pg_stat_activity"
           " WHERE datname = current_database() AND application_name LIKE %s AND query LIKE %s"
           " AND pid <> pg_backend_pid()")
    if waiting is not None:
        sql += (" AND wait_event_type = 'Lock'" if waiting
                else " AND wait_event_type IS DISTINCT FROM 'Lock'")
    return conn.execute(sql, (f"{role}:%", query_like)).fetchall()
