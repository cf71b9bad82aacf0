"""Side effects after commit, with ids only.

`enqueue_after_commit` records a job on the current session; when that session commits the job
goes to RQ (or runs inline when no Redis is configured); when it rolls back the job is dropped.
With RQ the job is also written to the outbox (`app.core.outbox`) in the same transaction, so a
committed job survives Redis being away and goes out when it is back.
"""

import logging
import threading
from datetime import datetime

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.utils import import_string

from app.core import outbox
from app.core.queues import get_queue, job_options
from app.extensions import db

log = logging.getLogger(__name__)
_PENDING = "fitflow_pending_jobs"


def enqueue_after_commit(func: str, *args, queue: str = "default", at: datetime | None = None,
                         once: bool = False):
    """Run `func` (a dotted path in workers.jobs) with `args` once the current transaction commits.

    A job belongs to the (possibly nested) transaction it was queued in: rolling that back drops
    it; it goes out only when the outermost transaction commits. With `once`, a job the same as
    one already waiting for this commit is not queued again.
    """
    if any(not isinstance(a, (int, str, float, bool, type(None))) for a in args):
        raise TypeError("jobs take ids and plain values, never objects")
    session = db.session()
    if once and any(job[:4] == (func, args, queue, at)
                    for _owner, job in session.info.get(_PENDING, ())):
        return
    row_id = None
    if not current_app.config["JOBS_INLINE"]:
        row_id = outbox.write(session, func, args, queue, at)
    owner = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append([owner, (func, args, queue, at, row_id)])


@event.listens_for(Session, "after_commit")
def _dispatch(session):
    pending = session.info.get(_PENDING, [])
    if session.in_nested_transaction():
        # A savepoint was released: nothing is committed yet; its jobs now ride on the parent.
        released = session.get_nested_transaction()
        for entry in pending:
            if entry[0] is released:
                entry[0] = released.parent
        return
    session.info.pop(_PENDING, None)
    rows = [job[4] for _owner, job in pending if job[4] is not None]
    for _owner, (func, args, queue, at, row_id) in pending:
        if row_id is None:
            dispatch(func, args, queue=queue, at=at)
    if rows:
        outbox.relay_after_commit(session.get_bind(), rows)


@event.listens_for(Session, "after_transaction_end")
def _drop_uncommitted(session, transaction):
    """Jobs still owned by a transaction that ended were neither committed nor handed up."""
    pending = session.info.get(_PENDING)
    if pending:
        session.info[_PENDING] = [e for e in pending if e[0] is not transaction]


@event.listens_for(Session, "after_soft_rollback")
def _drop(session, previous_transaction):
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


def dispatch(func: str, args: tuple, *, queue: str = "default", at: datetime | None = None):
    """Hand a job straight to its runner, without the outbox: a capture list (tests), RQ, or
    inline. Straight to RQ, a job is lost if Redis is away (the drills' negative control)."""
    app = current_app._get_current_object()
    capture = app.config.get("JOBS_CAPTURE")
    if capture is not None:
        capture.append((func, args, queue, at))
    elif not app.config["JOBS_INLINE"]:
        q = get_queue(queue)
        if at is None:
            q.enqueue(func, *args, **job_options(app, queue))
        else:
            q.enqueue_at(at, func, *args, **job_options(app, queue))
    elif at is None:
        run_inline(app, func, args)
    else:
        delay = max(0.0, (at - datetime.now(at.tzinfo)).total_seconds())
        timer = threading.Timer(delay, run_inline, (app, func, args))
        timer.daemon = True
        timer.start()


def run_inline(app, func: str, args: tuple):
    """Run a job in a fresh application context, as a worker would; failures are logged."""
    with app.app_context():
        try:
            import_string(func)(*args)
        except Exception:
            db.session.rollback()
            log.exception("inline job %s%r failed", func, args)
