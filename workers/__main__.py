"""Run an RQ worker (with the scheduler and the outbox relay) inside the Flask app context."""

import logging
import sys

from rq import Worker

from app import create_app
from app.core.queues import QUEUES, redis_connection
from app.extensions import db
from workers import relay


class FitFlowWorker(Worker):
    """Forked work-horses must not reuse the parent's pooled database connections.

    After Redis was away: reconnect within seconds (RQ backs off up to a minute), and restart
    the scheduler process that the outage took down as soon as Redis answers, instead of at the
    next ten-minute maintenance.
    """

    max_connection_wait_time = 5.0

    def execute_job(self, job, queue):
        db.engine.dispose(close=False)
        return super().execute_job(job, queue)

    @property
    def should_run_maintenance_tasks(self):
        scheduler = self.scheduler
        died = scheduler is not None and scheduler._process is not None \
            and not scheduler._process.is_alive() and not self._stop_requested
        return died or super().should_run_maintenance_tasks


def main(argv: list[str]) -> int:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    for name in ("app", "workers"):  # RQ logs its own lines; ours (outbox relay) alike
        logging.getLogger(name).addHandler(handler)
        logging.getLogger(name).setLevel(logging.INFO)
    app = create_app()
    app.config["DB_APPLICATION_NAME"] = "fitflow-worker"
    if not app.config["REDIS_URL"]:
        print("REDIS_URL is not set: jobs run inline in the web process, no worker needed.")
        return 1
    burst = "--burst" in sys.argv
    with app.app_context():
        from workers.jobs.memberships import renew_memberships, schedule_renewals

        renew_memberships()  # catch up at start, then hourly
        schedule_renewals()
        if burst:
            relay.relay_once()
        else:
            relay.start(app)
        queues = argv or list(QUEUES)
        # worker_ttl 35: an idle worker wakes every 20 s (a dead scheduler is noticed then).
        worker = FitFlowWorker(queues, connection=redis_connection(), worker_ttl=35)
        worker.work(with_scheduler=True, burst=burst)
    return 0


if __name__ == "__main__":
    sys.exit(main([a for a in sys.argv[1:] if not a.startswith("--")]))
