"""The job outbox: a committed job is never lost to Redis being away, and never sent twice.

Redis drills run a `redis-server` of their own (tests/faults.py) that they stop and start; jobs
are counted in Redis and, end to end, as emails received over SMTP from a real worker.
"""

import threading
import uuid
from datetime import timedelta

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Queue
from sqlalchemy import select, text

from app.accounts.models import User
from app.core import outbox
from app.core.db import utcnow
from app.core.jobs import dispatch, enqueue_after_commit
from app.core.outbox import OutboxJob
from app.extensions import db
from tests.factories import UserFactory
from tests.faults import WorkerProcess, admin_connection, wait_for
from workers import relay

RESET = "workers.jobs.accounts.send_password_reset"


def test_committed_jobs_are_relayed_once_and_rolled_back_ones_never_written(app, ctx, jobs):
    user = UserFactory()
    enqueue_after_commit(RESET, user.id, queue="notifications")
    try:
        with db.session.begin_nested():
            enqueue_after_commit(RESET, -1, queue="notifications")
            raise RuntimeError("undo this savepoint")
    except RuntimeError:
        pass
    db.session.commit()
    assert jobs == [(RESET, (user.id,), "notifications", None)]
    rows = db.session.scalars(select(OutboxJob).where(OutboxJob.func == RESET)).all()
    assert [(r.args, r.attempts, r.sent_at is not None) for r in rows] == [([user.id], 1, True)]
    assert outbox.relay() == 0 and len(jobs) == 1  # nothing left to send twice


def test_inline_mode_writes_no_outbox_rows(app, ctx):
    """The SQLite quick start runs jobs in-process after commit: nothing to relay."""
    app.config.update(JOBS_CAPTURE=None, JOBS_INLINE=True)
    try:
        before = db.session.scalar(select(db.func.count()).select_from(OutboxJob))
        enqueue_after_commit("workers.jobs.accounts.send_verification", UserFactory().id)
        db.session.commit()
        assert db.session.scalar(select(db.func.count()).select_from(OutboxJob)) == before
    finally:
        app.config.update(JOBS_INLINE=False)


# --- against a Redis of our own ----------------------------------------------------------------

def _user(**kw):
    return UserFactory(email=f"drill-{uuid.uuid4().hex[:10]}@example.test", **kw)


def _pending():
    return db.session.scalars(select(OutboxJob).where(OutboxJob.sent_at.is_(None))
                              .order_by(OutboxJob.id)).all()


def _queued(server, name="notifications") -> list[str]:
    return Queue(name, connection=server.client()).get_job_ids()


@pytest.mark.concurrency
@pytest.mark.xdist_group("worker")
def test_a_job_committed_while_redis_is_down_waits_and_goes_out_when_it_is_back(app, own_redis):
    own_redis.stop()
    with app.app_context():
        user_id = _user().id
        enqueue_after_commit(RESET, user_id, queue="notifications")
        db.session.commit()  # the request never talks to Redis: nothing to fail here
        (row,) = _pending()
        assert row.attempts == 0 and row.last_error is None
        assert relay.relay_once() == 0  # the worker's loop tries, and the row waits
        (row,) = _pending()
        assert row.attempts == 1 and row.last_error.startswith("ConnectionError")
        first = row.id
        # Negative control: handed straight to RQ (no outbox), the same kind of job is lost.
        with pytest.raises(RedisConnectionError):
            dispatch(RESET, (user_id,), queue="notifications")

    own_redis.start()  # back, and empty
    with app.app_context():
        enqueue_after_commit(RESET, _user().id, queue="notifications")
        db.session.commit()
        assert relay.relay_once() == 2
        assert _pending() == []
        sent = db.session.scalars(select(OutboxJob.job_id).where(OutboxJob.id >= first)
                                  .order_by(OutboxJob.id)).all()
    assert sorted(_queued(own_redis)) == sorted(sent) and len(sent) == 2


@pytest.mark.concurrency
@pytest.mark.xdist_group("worker")
def test_a_print_run_may_take_an_hour_other_jobs_five_minutes(app, own_redis):
    """A run of 5,000 invoices takes half an hour: RQ must not stop it at five minutes (and
    the worker that runs it in its own process keeps its heartbeat for as long)."""
    with app.app_context():
        enqueue_after_commit("workers.jobs.documents.print_invoices", 1, queue="documents")
        enqueue_after_commit(RESET, _user().id, queue="notifications")
        db.session.commit()
        assert relay.relay_once() == 2
    conn = own_redis.client()
    (printing,) = Queue("documents", connection=conn).get_jobs()
    (mail,) = Queue("notifications", connection=conn).get_jobs()
    assert (printing.timeout, mail.timeout) == (3600, 300)


@pytest.mark.concurrency
@pytest.mark.xdist_group("worker")
@pytest.mark.parametrize("trigger", [True, False], ids=["trigger", "negative-control"])
def test_a_committed_transaction_that_queues_jobs_notifies_once(app, trigger):
    """The relay loop is woken by one NOTIFY per committed transaction that wrote outbox rows,
    however many; a rolled-back one sends none. PostgreSQL hands a listener its notifications in
    commit order, so a marker sent last tells when all of them are in: no waiting on a clock."""
    listener, admin = admin_connection(app), admin_connection(app)
    listener.execute(f"LISTEN {outbox.CHANNEL}")
    ids = []
    try:
        if not trigger:
            admin.execute("ALTER TABLE job_outbox DISABLE TRIGGER job_outbox_notify")
        with app.app_context():
            ids += [outbox.write(db.session, RESET, (n,), "notifications", None) for n in (1, 2)]
            db.session.commit()  # two rows, one transaction
            outbox.write(db.session, RESET, (3,), "notifications", None)
            db.session.rollback()
        admin.execute("SELECT pg_notify(%s, 'marker')", (outbox.CHANNEL,))
        payloads = []
        for note in listener.notifies(timeout=30):
            payloads.append(note.payload)
            if note.payload == "marker":
                break
        assert payloads == ([""] if trigger else []) + ["marker"]
    finally:
        if not trigger:
            admin.execute("ALTER TABLE job_outbox ENABLE TRIGGER job_outbox_notify")
        admin.execute("DELETE FROM job_outbox WHERE id = ANY(%s)", (ids,))
        admin.close()
        listener.close()


@pytest.mark.concurrency
@pytest.mark.xdist_group("worker")
@pytest.mark.parametrize("gather", [2.0, 0.0], ids=["gathered", "negative-control"])
def test_a_burst_of_commits_wakes_the_relay_for_one_round(app, gather):
    """A commit wakes the relay; four more commit once it is awake (each its own transaction,
    each queueing a job). With its gather window the relay takes their wakes too, and relays
    the five in one round. Without it, the four are left to wake it again, a round each."""

    class Listener:  # the relay's connection, telling when the first wake has reached it
        def __init__(self, conn):
            self.conn, self.woken = conn, threading.Event()

        def notifies(self, **kwargs):
            for note in self.conn.notifies(**kwargs):
                self.woken.set()
                yield note

    conn, admin = admin_connection(app), admin_connection(app)
    conn.execute(f"LISTEN {outbox.CHANNEL}")
    listener, ids = Listener(conn), []

    def commit_job(n):
        with app.app_context():
            ids.append(outbox.write(db.session, RESET, (n,), "notifications", None))
            db.session.commit()

    def the_rest():
        assert listener.woken.wait(30)
        for n in range(1, 5):
            commit_job(n)

    committing = threading.Thread(target=the_rest)
    try:
        commit_job(0)
        committing.start()
        assert relay.wait(listener, 30, gather) is listener
        committing.join()
        admin.execute("SELECT pg_notify(%s, 'marker')", (outbox.CHANNEL,))
        left = []
        for note in conn.notifies(timeout=30):  # in commit order: the marker comes last
            if note.payload == "marker":
                break
            left.append(note)
        assert len(left) == (0 if gather else 4)
    finally:
        committing.join()
        admin.execute("DELETE FROM job_outbox WHERE id = ANY(%s)", (ids,))
        admin.close()
        conn.close()


@pytest.mark.concurrency
@pytest.mark.xdist_group("worker")
def test_a_commit_wakes_the_workers_relay_at_once(app, own_redis, smtp, tmp_path):
    """The worker's relay loop only looks every 10 minutes here: a committed job still goes out
    within seconds, because the commit's NOTIFY wakes it."""
    with app.app_context():
        first = _reset_email_job()  # waiting before the worker starts: its first look sends it
        db.session.commit()
    worker = WorkerProcess(app, own_redis.url, tmp_path, smtp.port,
                           OUTBOX_RELAY_INTERVAL="600").start()
    received = lambda: [m["To"] for m in smtp.messages]  # noqa: E731
    try:
        # Listening, and past its first look: from now on only a NOTIFY wakes it early.
        wait_for(lambda: first in received(), timeout=60, what=f"the first email ({worker.log})")
        with app.app_context():
            assert _listening(outbox.CHANNEL)
            address = _reset_email_job()
            db.session.commit()
        wait_for(lambda: address in received(), timeout=20, what=f"the email ({worker.log})")
    finally:
        worker.stop()


@pytest.mark.concurrency
@pytest.mark.xdist_group("worker")
@pytest.mark.parametrize("locked", [True, False], ids=["skip-locked", "negative-control"])
def test_two_relays_at_once_send_each_job_once(app, own_redis, monkeypatch, locked):
    n = 30
    with app.app_context():
        ids = [outbox.write(db.session, RESET, (i,), "notifications", None) for i in range(n)]
        db.session.commit()
    sends, lock = [], threading.Lock()
    real_send = outbox._send
    both_claimed = threading.Barrier(2)

    def counting_send(app_, row):
        with lock:
            sends.append(row.id)
        real_send(app_, row)

    def claim_without_lock(session, _ids, limit):
        rows = session.execute(select(OutboxJob.__table__).where(OutboxJob.sent_at.is_(None))
                               .order_by(OutboxJob.id).limit(limit)).all()
        both_claimed.wait(timeout=10)  # the worst interleaving: both read before either sends
        return rows

    monkeypatch.setattr(outbox, "_send", counting_send)
    if not locked:
        monkeypatch.setattr(outbox, "_claim", claim_without_lock)
    start = threading.Barrier(2)

    def relay():
        with app.app_context():
            start.wait(timeout=10)
            outbox.relay(limit=100)

    threads = [threading.Thread(target=relay) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(OutboxJob)
                                 .where(OutboxJob.id.in_(ids), OutboxJob.sent_at.is_(None))) == 0
    if locked:
        assert sorted(sends) == ids  # each row handed over by exactly one relay
        assert len(_queued(own_redis)) == n
    else:
        assert len(sends) == 2 * n, "without the row locks both relays send every job"


@pytest.mark.concurrency
@pytest.mark.xdist_group("worker")
@pytest.mark.parametrize("checked", [True, False], ids=["job-id-check", "negative-control"])
def test_a_relay_that_crashed_after_enqueueing_does_not_send_twice(app, own_redis, monkeypatch,
                                                                    checked):
    """Crash between the RQ enqueue and marking the row sent: the row is still pending, but its
    job id is already in Redis, so the next relay marks it sent without enqueueing it again."""
    with app.app_context():
        row_id = outbox.write(db.session, RESET, (1,), "notifications", None)
        db.session.commit()
    real_send = outbox._send

    def send_then_crash(app_, row):
        real_send(app_, row)
        raise KeyboardInterrupt("the relay process dies here")

    monkeypatch.setattr(outbox, "_send", send_then_crash)
    with app.app_context(), pytest.raises(KeyboardInterrupt):
        outbox.relay(ids=[row_id])
    monkeypatch.setattr(outbox, "_send", real_send)
    if not checked:
        monkeypatch.setattr(outbox.Job, "exists", classmethod(lambda cls, *a, **k: False))
    with app.app_context():
        assert [r.id for r in _pending()] == [row_id]
        assert outbox.relay(ids=[row_id]) == 1
        assert _pending() == []
    # RQ's queue is a list: a job id pushed twice runs twice.
    assert len(_queued(own_redis)) == (1 if checked else 2)


@pytest.mark.concurrency
@pytest.mark.xdist_group("worker")
def test_redis_down_and_restarted_under_a_running_worker_loses_and_repeats_nothing(
        app, own_redis, smtp, tmp_path):
    """End to end through `python -m workers`: its relay loop sends the backlog, it reconnects
    after Redis comes back (empty), and its scheduler runs a delayed job queued in the outage.
    Password-reset emails carry no dedup key, so a job run twice would show as a second email."""
    own_redis.stop()
    with app.app_context():
        before = _reset_email_job()
        db.session.commit()
        lost = _user().email
        with pytest.raises(RedisConnectionError):  # negative control: straight to RQ
            dispatch(RESET, (db.session.scalar(select(User.id).where(User.email == lost)),),
                     queue="notifications")
        db.session.commit()
    own_redis.start()
    worker = WorkerProcess(app, own_redis.url, tmp_path, smtp.port).start()
    try:
        received = lambda: sorted(m["To"] for m in smtp.messages)  # noqa: E731
        wait_for(lambda: before in received(), timeout=60,
                 what=f"the backlog job's email (worker log: {worker.log})")
        wait_for(lambda: "Job OK" in worker.output(), timeout=10, what="RQ to record the job")

        own_redis.stop()  # Redis goes away under the running worker
        with app.app_context():
            during = _reset_email_job()
            later = _reset_email_job(at=utcnow() + timedelta(seconds=1))
            db.session.commit()
            assert len(_pending()) == 2
        # Down until the worker, its scheduler and its relay loop have all run into it.
        wait_for(lambda: all(s in worker.output() for s in (
            "could not connect to Redis", "Scheduler [PID", "outbox relay: jobs stay pending")),
            timeout=30, what=f"the worker to notice the outage ({worker.log})")
        own_redis.start()
        wait_for(lambda: {during, later} <= set(received()), timeout=60,
                 what=f"the outage's jobs (worker log: {worker.log})")
        with app.app_context():
            after = _reset_email_job()
            db.session.commit()
        wait_for(lambda: after in received(), timeout=30, what="a job after recovery")
    finally:
        worker.stop()
    assert received() == sorted([before, during, later, after])
    assert lost not in received()


def _listening(channel: str) -> bool:
    """Whether a connection to this database LISTENs on `channel` (a fresh look each time:
    a transaction keeps its first view of pg_stat_activity)."""
    with db.engine.connect() as conn:
        return conn.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE datname ="
                                " current_database() AND query = :q"),
                           {"q": f"LISTEN {channel}"}) > 0


def _reset_email_job(**options) -> str:
    """A new user and a queued password-reset email for them; their address."""
    user = _user()
    enqueue_after_commit(RESET, user.id, queue="notifications", **options)
    return user.email
