"""Run an RQ worker (with the scheduler) inside the Flask app context."""

import sys

from rq import Worker

from app import create_app
from app.core.jobs import QUEUES, redis_connection
from app.extensions import db


class FitFlowWorker(Worker):
    """Forked work-horses must not reuse the parent's pooled database connections."""

    def execute_job(self, job, queue):
        db.engine.dispose(close=False)
        return super().execute_job(job, queue)


def main(argv: list[str]) -> int:
    app = create_app()
    if not app.config["REDIS_URL"]:
        print("REDIS_URL is not set: jobs run inline in the web process, no worker needed.")
        return 1
    with app.app_context():
        from workers.jobs.memberships import renew_memberships, schedule_renewals

        renew_memberships()  # catch up at start, then hourly
        schedule_renewals()
        queues = argv or list(QUEUES)
        worker = FitFlowWorker(queues, connection=redis_connection())
        worker.work(with_scheduler=True, burst="--burst" in sys.argv)
    return 0


if __name__ == "__main__":
    sys.exit(main([a for a in sys.argv[1:] if not a.startswith("--")]))
