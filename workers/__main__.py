"""Run an RQ worker (with the scheduler and the outbox relay) inside the Flask app context."""

import logging
import sys
import time

from flask import current_app
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import SimpleWorker, Worker

from app import create_app
from app.core.pdf import install_render_pool
from app.core.queues import QUEUES, redis_connection
from app.extensions import db
from workers import relay, yield_to_web
from workers.render_pool import RenderPool

log = logging.getLogger("workers")


# Short database jobs (Stripe events, offer expiries, renewals) and messages run in the worker's
# own process, like RQ's SimpleWorker: its connections and compiled statements stay warm, where
# a forked work-horse connects and compiles every statement afresh for each job, seconds on a
# loaded box (docs/benchmarks.md, P12). A message job holds no more than a batch of reminders
# and every network call in it has a timeout, so the queues behind it wait at most that long.
# PDFs and calendar syncs run in a forked work-horse: a crash or a leak in WeasyPrint or a
# CalDAV client cannot take the worker down, and a killed horse's job is retried.
IN_PROCESS = frozenset({"default", "notifications"})
# A print run renders its documents in the worker's render pool (workers/render_pool.py), whose
# children only the worker that started them can use: the job runs in the worker's process,
# and the leaky part, WeasyPrint, in the pool's recycled children.
IN_PROCESS_JOBS = frozenset({"workers.jobs.documents.print_invoices"})


def runs_in_process(job) -> bool:
    return job.origin in IN_PROCESS or job.func_name in IN_PROCESS_JOBS


class FitFlowWorker(Worker):
    """Forked work-horses must not reuse the parent's pooled database connections.

    After Redis was away: reconnect within seconds (RQ backs off up to a minute), and restart
    the scheduler process that the outage took down as soon as Redis answers, instead of at the
    next ten-minute maintenance.
    """

    max_connection_wait_time = 5.0
    stop_requested = False

    def request_stop(self, signum, frame):
        self.stop_requested = True
        return super().request_stop(signum, frame)

    def execute_job(self, job, queue):
        if runs_in_process(job):
            with current_app.app_context():  # its own `g` and session, as a work-horse has
                return SimpleWorker.execute_job(self, job, queue)
        db.engine.dispose(close=False)
        return super().execute_job(job, queue)

    def get_heartbeat_ttl(self, job, working_time: float = 0.0) -> int:
        # No horse to watch, so nothing renews the heartbeat while a job runs here: it must
        # last the job's whole timeout, or a long print run would be taken for abandoned.
        if runs_in_process(job):
            return SimpleWorker.get_heartbeat_ttl(self, job, working_time)
        return super().get_heartbeat_ttl(job, working_time)

    @property
    def should_run_maintenance_tasks(self):
        scheduler = self.scheduler
        died = scheduler is not None and scheduler._process is not None \
            and not scheduler._process.is_alive() and not self.stop_requested
        return died or super().should_run_maintenance_tasks


def main(argv: list[str]) -> int:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    for name in ("app", "workers"):  # RQ logs its own lines; ours (outbox relay) alike
        logging.getLogger(name).addHandler(handler)
        logging.getLogger(name).setLevel(logging.INFO)
    app = create_app()
    app.config["DB_APPLICATION_NAME"] = "fitflow-worker"
    yield_to_web(app.config["WORKER_NICE"])
    if not app.config["REDIS_URL"]:
        print("REDIS_URL is not set: jobs run inline in the web process, no worker needed.")
        return 1
    burst = "--burst" in sys.argv
    # A job's own jobs: a burst has no relay loop, so they go to Redis right after the job's
    # commit; a running worker's relay loop is woken by that commit and sends them with
    # whatever else comes within its gather window (one round for a burst of events).
    app.config["OUTBOX_RELAY_AFTER_COMMIT"] = burst
    with app.app_context():
        from workers.jobs.calendars import schedule_syncs
        from workers.jobs.certificates import (
            erase_expired_certificates,
            queue_expiry_reminders,
            schedule_erasure,
            schedule_reminders,
        )
        from workers.jobs.memberships import renew_memberships, schedule_renewals
        from workers.jobs.notifications import schedule_sweep, sweep
        from workers.jobs.quality import schedule_nightly
        from workers.jobs.schedule import extend_series, schedule_extension

        renew_memberships()  # catch up at start, then hourly
        schedule_renewals()
        extend_series()  # series without an end: classes weeks ahead, then every six hours
        schedule_extension()
        queue_expiry_reminders()  # certificates expiring in 30 days or today, every six hours
        schedule_reminders()
        erase_expired_certificates()  # 3 years after expiry, then daily
        schedule_erasure()
        sweep()  # reminders due and deliveries overdue, then every five minutes
        schedule_sweep()
        schedule_syncs()  # coaches' own calendars, every ten minutes
        schedule_nightly()  # every studio's data-quality checks, each night
        if burst:
            relay.relay_once()
        else:
            relay.start(app)
        queues = argv or list(QUEUES)
        pool = start_render_pool(app) if "documents" in queues else None
        try:
            work(queues, burst)
        finally:
            if pool is not None:
                install_render_pool(None)
                pool.stop()
    return 0


def start_render_pool(app) -> RenderPool | None:
    """The print runs' render pool, started (and warm) before the first job: a run's first
    document then renders at once."""
    if app.config["PDF_RENDER_PROCESSES"] <= 0:
        return None
    pool = RenderPool(app.config["PDF_RENDER_PROCESSES"],
                      app.config["PDF_RENDERS_PER_CHILD"]).start()
    install_render_pool(pool)
    return pool


def work(queues: list[str], burst: bool) -> None:
    """Run the RQ worker; when Redis drops out under a running job, RQ quits: start it again
    once Redis answers (the job's fate is RQ's: retried as abandoned if Redis kept it)."""
    while True:
        # worker_ttl 35: an idle worker wakes every 20 s (a dead scheduler is noticed then);
        # maintenance every minute: a job abandoned by a horse that could not report (Redis
        # away) is retried by RQ within about two minutes instead of ten.
        worker = FitFlowWorker(queues, connection=redis_connection(), worker_ttl=35,
                               maintenance_interval=60)
        try:
            worker.work(with_scheduler=True, burst=burst)
        except (RedisConnectionError, RedisTimeoutError) as exc:  # raised by its teardown
            log.warning("worker stopped: %s: %s", type(exc).__name__, exc)
            if worker.pubsub_thread is not None:  # its teardown did not get that far
                worker.pubsub_thread.stop()
        if burst or worker.stop_requested:
            return
        log.warning("the worker stopped unexpectedly; starting again once Redis answers")
        while not _redis_answers():
            time.sleep(1)
        if worker.scheduler is not None:  # its dead scheduler's locks would hold the new one
            worker.scheduler.release_locks()  # off for a minute (a Redis that kept its data)


def _redis_answers() -> bool:
    try:
        return bool(redis_connection().ping())
    except (RedisConnectionError, RedisTimeoutError):
        return False


if __name__ == "__main__":
    sys.exit(main([a for a in sys.argv[1:] if not a.startswith("--")]))
