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


def job_options(app) -> dict:
    """RQ options of every FitFlow job: retried after JOBS_RETRY_INTERVALS, 5 minutes at most."""
    intervals = list(app.config["JOBS_RETRY_INTERVALS"])
    options = {"job_timeout": 300}
    if intervals:
        options["retry"] = Retry(max=len(intervals), interval=intervals)
    return options
