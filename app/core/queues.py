"""Redis and RQ plumbing shared by the web process, the outbox relay and the worker."""

from flask import current_app
from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry as RedisRetry
from rq import Queue, Retry

QUEUES = ("default", "notifications", "documents", "calendar")


def redis_options(app) -> dict:
    """Fail fast when Redis is away or hangs: a request answers instead of waiting on it."""
    return {"socket_connect_timeout": app.config["REDIS_TIMEOUT"],
            "socket_timeout": app.config["REDIS_TIMEOUT"], "retry": RedisRetry(NoBackoff(), 1)}


def redis_connection() -> Redis:
    """The Redis connection for queues (one per app)."""
    app = current_app._get_current_object()
    conn = app.extensions.get("fitflow_redis")
    if conn is None:
        conn = app.extensions["fitflow_redis"] = Redis.from_url(app.config["REDIS_URL"],
                                                                **redis_options(app))
    return conn


def get_queue(name: str = "default") -> Queue:
    """An RQ queue by name, bound to the app's Redis."""
    return Queue(name, connection=redis_connection())


# How long a job may run. A print run binds up to 5,000 invoices (billing/services/printing.py)
# at 2–3 a second: it gets an hour; everything else five minutes.
JOB_TIMEOUTS = {"documents": 3600}
JOB_TIMEOUT = 300


def job_options(app, queue: str = "default") -> dict:
    """RQ options of a FitFlow job on `queue`: retried after JOBS_RETRY_INTERVALS, and stopped
    after the queue's timeout."""
    intervals = list(app.config["JOBS_RETRY_INTERVALS"])
    options = {"job_timeout": JOB_TIMEOUTS.get(queue, JOB_TIMEOUT)}
    if intervals:
        options["retry"] = Retry(max=len(intervals), interval=intervals)
    return options
