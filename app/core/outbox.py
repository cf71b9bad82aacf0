"""The job outbox: a job is a row written in the transaction that wants it, relayed to RQ after.

`enqueue_after_commit` inserts a `job_outbox` row in the caller's transaction, so the job commits
or rolls back with the data it is about. A trigger on the table sends `NOTIFY fitflow_outbox`
with the transaction (migration 0014), which PostgreSQL delivers only when it commits; the
worker's relay loop LISTENs, hands the rows to RQ at once and marks them sent
(workers/relay.py). Web requests never talk to Redis for their jobs: a slow or absent Redis
costs them nothing, and the rows wait until it is back. With a capture list standing in for RQ
(tests) the committing process relays its own rows itself, right after the commit.

Relays lock the rows they send (`FOR UPDATE SKIP LOCKED`), so two relays never send a row twice.
The RQ job id is stored with the row: a row whose job already exists in Redis (a relay crashed
between the enqueue and marking the row sent) is marked sent, not enqueued again. A job can
still run twice only if that crash window meets a job that has already finished and expired
from Redis, so jobs stay idempotent (at-least-once across crashes, exactly-once otherwise).
"""

import logging
import uuid
from datetime import datetime, timedelta

from flask import current_app
from redis.exceptions import RedisError
from rq import Queue
from rq.job import Job
from sqlalchemy import (
    JSON,
    BigInteger,
    Index,
    Integer,
    String,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.db import UTCDateTime, utcnow
from app.core.queues import job_options, redis_connection
from app.extensions import db

log = logging.getLogger(__name__)


class OutboxJob(db.Model):
    """A job waiting to be handed to RQ (sent_at is NULL), or handed over at sent_at."""

    __tablename__ = "job_outbox"
    __table_args__ = (
        Index("ix_job_outbox_pending", "id", postgresql_where=db.text("sent_at IS NULL"),
              sqlite_where=db.text("sent_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    job_id: Mapped[str] = mapped_column(String(36))
    func: Mapped[str] = mapped_column(String(200))
    args: Mapped[list] = mapped_column(JSON, server_default="[]")
    queue: Mapped[str] = mapped_column(String(40), server_default="default")
    run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow,
                                                 server_default=db.func.now())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(200))


_table = OutboxJob.__table__
CHANNEL = "fitflow_outbox"  # what the trigger NOTIFYs and the relay loop LISTENs on
_WRITE = insert(_table).values({name: bindparam(name) for name in
                                ("job_id", "func", "args", "queue", "run_at")}
                               ).returning(_table.c.id)


def write(session, func: str, args: tuple, queue: str, at: datetime | None) -> int:
    """Insert the outbox row for one job in `session`'s current transaction; its id."""
    return session.execute(_WRITE, {"job_id": uuid.uuid4().hex, "func": func, "args": list(args),
                                    "queue": queue, "run_at": at}).scalar_one()


def relay(bind=None, *, ids: list[int] | None = None, limit: int = 100) -> int:
    """Hand pending rows to RQ (or the capture list) and mark them sent; how many went out.

    `ids`: only those rows (a transaction's own jobs, right after its commit); otherwise the
    oldest `limit` pending rows. Stops at the first Redis error: the rest stay pending.
    """
    app = current_app._get_current_object()
    with Session(bind=bind or db.engine, join_transaction_mode="create_savepoint") as session:
        with session.begin():
            rows = _claim(session, ids, limit)
            sent, error = [], None
            for row in rows:
                try:
                    _send(app, row)
                except (RedisError, OSError) as exc:
                    error = exc
                    break
                sent.append(row.id)
            if sent:
                session.execute(update(_table).where(_table.c.id.in_(sent)).values(
                    sent_at=utcnow(), attempts=_table.c.attempts + 1, last_error=None))
            if error is not None:
                session.execute(update(_table).where(_table.c.id == rows[len(sent)].id).values(
                    attempts=_table.c.attempts + 1,
                    last_error=f"{type(error).__name__}: {error}"[:200]))
    if error is not None:
        raise RelayFailed(len(sent)) from error
    return len(sent)


def _claim(session, ids: list[int] | None, limit: int) -> list:
    """Pending rows to send, locked until the relay commits; rows another relay holds are
    skipped, not waited for."""
    query = select(_table).where(_table.c.sent_at.is_(None)).order_by(_table.c.id)
    query = query.where(_table.c.id.in_(ids)) if ids is not None else query.limit(limit)
    return session.execute(query.with_for_update(skip_locked=True)).all()


class RelayFailed(Exception):
    """Redis refused a job; `sent` rows went out before it, the others stay pending."""

    def __init__(self, sent: int):
        super().__init__(f"relayed {sent} job(s), then Redis failed")
        self.sent = sent


def _send(app, row) -> None:
    capture = app.config.get("JOBS_CAPTURE")
    if capture is not None:
        capture.append((row.func, tuple(row.args), row.queue, row.run_at))
        return
    conn = redis_connection()
    if Job.exists(row.job_id, connection=conn):
        return  # handed over before a crash: mark it sent, never enqueue it twice
    options = {"job_id": row.job_id, **job_options(app, row.queue)}
    queue = Queue(row.queue, connection=conn)
    if row.run_at is None:
        queue.enqueue(row.func, *row.args, **options)
    else:
        queue.enqueue_at(row.run_at, row.func, *row.args, **options)


def relay_after_commit(bind, ids: list[int]) -> None:
    """A committed transaction's own jobs. Web requests and a running worker's jobs leave them
    to the worker's relay loop, which the commit's NOTIFY has woken (and which sends a burst of
    commits in one round); a burst worker, which has no loop (OUTBOX_RELAY_AFTER_COMMIT), and
    a capture list (tests) relay them at once. Never raises: rows that could not go wait for
    the loop."""
    app = current_app._get_current_object()
    if app.config.get("JOBS_CAPTURE") is None and not app.config["OUTBOX_RELAY_AFTER_COMMIT"]:
        return
    try:
        relay(bind, ids=ids)
    except Exception as exc:  # the data is committed: the rows wait for the relay loop
        log.warning("outbox: jobs stay pending (%s: %s)", type(exc).__name__, exc)


def relay_pending(limit: int = 500) -> int:
    """Relay the whole backlog in batches (the worker's loop); how many went out."""
    total = 0
    while True:
        sent = relay(limit=limit)
        total += sent
        if sent < limit:
            return total


def prune(older_than: timedelta) -> int:
    """Forget rows sent more than `older_than` ago; how many were deleted."""
    with Session(bind=db.engine) as session, session.begin():
        result = session.execute(delete(_table).where(_table.c.sent_at < utcnow() - older_than))
        return result.rowcount


def backlog() -> tuple[int, datetime | None]:
    """Jobs not yet handed to RQ, and when the oldest of them was committed (the operator's
    console shows both: a backlog that only grows means the worker or Redis is away)."""
    return tuple(db.session.execute(select(func.count(), func.min(_table.c.created_at))
                                    .where(_table.c.sent_at.is_(None))).one())
