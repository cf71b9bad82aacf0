"""The outbox relay loop that `python -m workers` runs beside the RQ worker.

It LISTENs for the NOTIFY that a commit writing outbox rows sends (migration 0014) and hands the
rows to RQ within OUTBOX_RELAY_GATHER seconds (a burst of commits goes as one batch); every
OUTBOX_RELAY_INTERVAL seconds it also looks without being woken (a lost listening connection,
rows that waited for Redis). A process of its own (like RQ's
scheduler), so the worker's forked work-horses never inherit a thread mid-query.
"""

import logging
import multiprocessing
import os
import signal
import time
from datetime import timedelta

import psycopg
from rq.job import Job

from app.billing.stripe.inbox import requeue_unapplied
from app.core import outbox
from app.core.queues import redis_connection
from app.extensions import db
from workers.jobs.memberships import JOB_ID, schedule_renewals

log = logging.getLogger(__name__)
CHORES_EVERY = 600.0  # seconds between chores()


def start(app) -> multiprocessing.Process:
    """Fork the relay loop; it ends with the worker (daemon) or when orphaned."""
    process = multiprocessing.get_context("fork").Process(target=run, args=(app,),
                                                          name="outbox-relay", daemon=True)
    process.start()
    return process


def run(app) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the worker's to handle
    parent = os.getppid()
    with app.app_context():
        db.engine.dispose(close=False)  # forked: never share the parent's connections
        interval, gather = app.config["OUTBOX_RELAY_INTERVAL"], app.config["OUTBOX_RELAY_GATHER"]
        keep = timedelta(days=app.config["OUTBOX_KEEP_DAYS"])
        next_chores = time.monotonic() + CHORES_EVERY
        listener = None
        while os.getppid() == parent:
            listener = listener or listen()  # before looking: no commit slips in between
            relay_once()
            if time.monotonic() >= next_chores:
                chores(keep)
                next_chores = time.monotonic() + CHORES_EVERY
            listener = wait(listener, interval, gather)


def listen():
    """A connection of the relay's own, LISTENing for the outbox's NOTIFY (PostgreSQL), or None
    (SQLite, or the database is away: the loop polls meanwhile)."""
    if db.engine.dialect.name != "postgresql":
        return None
    try:
        args, params = db.engine.dialect.create_connect_args(db.engine.url)
        conn = psycopg.connect(*args, **{"application_name": "fitflow-relay", **params,
                                         "autocommit": True})
        conn.execute(f"LISTEN {outbox.CHANNEL}")
        return conn
    except Exception as exc:
        log.warning("outbox relay: cannot listen (%s: %s); looking every few seconds",
                    type(exc).__name__, exc)
        return None


def wait(listener, seconds: float, gather: float = 0.0):
    """Until a commit queues jobs or `seconds` pass; the listener to keep (None once broken).

    Woken, it goes on taking the wakes of `gather` seconds more: a burst of commits (Stripe
    delivering a backlog, a cancelled class's notices) is relayed as one batch, one claim and
    one update for all its rows: a round costs several times what one more job adds to it, so
    a round per commit would multiply the cost of each job (docs/benchmarks.md). A job waits
    that much longer, which no e-mail or PDF notices."""
    if listener is None:
        time.sleep(seconds)
        return None
    try:
        woken = any(True for _ in listener.notifies(timeout=seconds, stop_after=1))
        if woken and gather > 0:
            for _ in listener.notifies(timeout=gather):
                pass
        return listener
    except Exception as exc:  # the connection died: listen again next round
        log.warning("outbox relay: stopped listening (%s: %s)", type(exc).__name__, exc)
        try:
            listener.close()
        except Exception:
            pass
        time.sleep(min(seconds, 1.0))
        return None


def chores(keep: timedelta) -> None:
    """Forget long-sent outbox rows; queue again Stripe events still not applied; schedule the
    hourly renewals again if Redis forgot them (it came back empty)."""
    try:
        outbox.prune(keep)
        if requeue_unapplied():
            db.session.commit()
        if not Job.exists(JOB_ID, connection=redis_connection()):
            schedule_renewals()
            log.warning("outbox relay: the hourly renewals were not scheduled; scheduled again")
    except Exception as exc:
        log.warning("outbox relay chores failed: %s: %s", type(exc).__name__, exc)
    finally:
        db.session.remove()


def relay_once() -> int:
    """Send the whole backlog now; Redis or the database being away is logged, not raised."""
    try:
        sent = outbox.relay_pending()
    except Exception as exc:
        log.warning("outbox relay: jobs stay pending (%s: %s)", type(exc).__name__, exc)
        return 0
    finally:
        db.session.remove()
    if sent:
        log.info("outbox relay: %d job(s) handed to RQ", sent)
    return sent
