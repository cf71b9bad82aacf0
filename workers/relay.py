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

from app.core import outbox
from app.extensions import db

log = logging.getLogger(__name__)
PRUNE_EVERY = 600.0  # seconds between deletions of long-sent rows


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
        next_prune = 0.0
        while os.getppid() == parent:
            relay_once()
            if time.monotonic() >= next_prune:
                try:
                    outbox.prune(keep)
                except Exception as exc:
                    log.warning("outbox prune failed: %s: %s", type(exc).__name__, exc)
                next_prune = time.monotonic() + PRUNE_EVERY
            time.sleep(interval)


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
