"""The outbox relay loop that `python -m workers` runs beside the RQ worker.

Every OUTBOX_RELAY_INTERVAL seconds it hands pending outbox rows to RQ: jobs committed while
Redis was away, or whose web process died between its commit and its relay. A process of its own
(like RQ's scheduler), so the worker's forked work-horses never inherit a thread mid-query.
"""

import logging
import multiprocessing
import os
import signal
import time
from datetime import timedelta

from rq.job import Job

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
        interval = app.config["OUTBOX_RELAY_INTERVAL"]
        keep = timedelta(days=app.config["OUTBOX_KEEP_DAYS"])
        next_chores = time.monotonic() + CHORES_EVERY
        while os.getppid() == parent:
            relay_once()
            if time.monotonic() >= next_chores:
                chores(keep)
                next_chores = time.monotonic() + CHORES_EVERY
            time.sleep(interval)


def chores(keep: timedelta) -> None:
    """Forget long-sent outbox rows; schedule the hourly renewals again if Redis forgot them
    (it came back empty)."""
    try:
        outbox.prune(keep)
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
