"""Test plumbing: a PostgreSQL database and a Redis db per xdist worker, a savepoint per test.

PostgreSQL and Redis are required. Nothing here skips when they are missing: a test that
needs them fails, so CI can never pass by skipping the real parts.
"""

import contextvars
import os
import socket
import uuid

import psycopg
import pytest
import stripe
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from flask_migrate import upgrade
from redis import Redis
from sqlalchemy import delete
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app
from app.extensions import db, limiter
from tests.billing.fake_stripe import FakeStripe

PG_ADMIN = os.environ.get("TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_BASE = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
# Two suites on one machine at once (two checkouts) keep apart with different first dbs.
REDIS_FIRST_DB = int(os.environ.get("TEST_REDIS_FIRST_DB", "1"))


def worker_index(config) -> int:
    name = getattr(config, "workerinput", {}).get("workerid", "gw0")
    return int(name.removeprefix("gw") or 0)


_LOCAL_RUN = uuid.uuid4().hex[:6]


def run_id(config) -> str:
    """Short id shared by all xdist workers of one run: parallel runs never share a database."""
    return getattr(config, "workerinput", {}).get("testrunuid", _LOCAL_RUN)[:6]


def drop_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fresh_database(name: str) -> str:
    """Drop and create database `name`; return its SQLAlchemy URL."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    host = PG_ADMIN.split("@", 1)[1].rsplit("/", 1)[0]
    return f"postgresql+psycopg://postgres@{host}/{name}"


def test_config(database_url: str, redis_db: int, **extra) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        # 50 racing threads, plus the outbox relays after their commits (relays wait for a free
        # connection): at most 60, well under PostgreSQL's default 100 with the other worker.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "pool_size": 50, "max_overflow": 10},
        "REDIS_URL": f"{REDIS_BASE}/{redis_db}",
        "JOBS_INLINE": False,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_STORAGE_OPTIONS": {},
        "PASSWORD_HASH": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
        "MAILBOX_DIR": f"/tmp/fitflow-test-mailbox-{uuid.uuid4().hex}",
        "BASE_URL": "http://fitflow.test",
        # The staff console's second step is on everywhere but in the tests of other features,
        # which sign staff in with a password alone; tests/accounts/test_factors*.py turn it on.
        "SECOND_STEP_FOR_STAFF": False,
        **extra,
    }


test_config.__test__ = False  # a helper, not a test (imported by other test modules)


class IsolatedClient(FlaskClient):
    """Each request runs in its own application context, as it does in production.

    The per-test savepoint keeps an app context pushed; a request would otherwise reuse it and
    share `g` with every other request of the test (Flask-Login caches the signed-in user
    there, Flask-Babel the locale), so one client's login would leak into another's requests.
    """

    def open(self, *args, **kwargs):
        if self.preserve_context:  # `with client:` wants the contexts kept for inspection
            return super().open(*args, **kwargs)
        context = contextvars.Context()
        response = context.run(super().open, *args, **kwargs)
        if response.is_streamed:
            # A streamed body (stream_with_context) pushes the request's contexts again while
            # it is read: read it inside the request's own contextvars, as a server does.
            context.run(response.make_sequence)
            response.was_streamed = True
        return response


@pytest.fixture
def fake(app, monkeypatch):
    """A local Stripe-compatible server (tests/billing/fake_stripe.py) the SDK talks to."""
    server = FakeStripe().start()
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", server.url)
    # The SDK's own retries (max_network_retries=2) back off for ~1.5 s; not needed here.
    monkeypatch.setattr(stripe._http_client.HTTPClient, "INITIAL_DELAY", 0.01)
    monkeypatch.setattr(stripe._http_client.HTTPClient, "MAX_DELAY", 0.02)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def app(request):
    idx = worker_index(request.config)
    name = f"fitflow_test_{run_id(request.config)}_{idx}"
    url = fresh_database(name)
    redis_db = REDIS_FIRST_DB + idx * 2
    Redis.from_url(f"{REDIS_BASE}/{redis_db}").flushdb()
    # The limiter must be initialised enabled (Flask-Limiter skips its storage and hooks
    # otherwise), then switched off: the `rate_limit` fixture turns it on per test.
    application = create_app(test_config(url, redis_db, WTF_CSRF_ENABLED=False,
                                         RATELIMIT_ENABLED=True))
    limiter.enabled = False
    application.test_client_class = IsolatedClient
    with application.app_context():
        upgrade()  # the migrations build the schema: they are tested on PostgreSQL every run
    yield application
    with application.app_context():
        db.engine.dispose()
    drop_database(name)


@pytest.fixture(autouse=True)
def _db_session(request, app):
    """Each test runs inside a transaction rolled back at the end (savepoints for commits)."""
    if request.node.get_closest_marker("concurrency") or request.node.get_closest_marker("e2e"):
        yield None
        return
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        original = db.session
        db.session = scoped_session(factory, scopefunc=original.registry.scopefunc)
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture(autouse=True)
def jobs(app):
    """Jobs enqueued after commit are captured here instead of going to Redis."""
    captured: list = []
    app.config["JOBS_CAPTURE"] = captured
    yield captured
    app.config["JOBS_CAPTURE"] = None


@pytest.fixture(autouse=True)
def _forget_sign_in_failures(app):
    """Each test starts with no account resting after failed sign-ins (app/accounts/throttle.py)."""
    yield
    from app.core.queues import redis_connection

    with app.app_context():
        app.extensions.pop("fitflow_signin_throttle", None)
        if app.config["REDIS_URL"]:
            conn = redis_connection()
            keys = list(conn.scan_iter("fitflow:signin:*", count=1000))
            if keys:
                conn.delete(*keys)


@pytest.fixture
def run_jobs(app, jobs):
    """Run the captured jobs in order, as a worker would (nested jobs too)."""
    from werkzeug.utils import import_string

    def run(name_filter: str | None = None):
        done, ran, later = [], set(), []
        while jobs:
            func, args, queue, at = jobs.pop(0)
            if name_filter and name_filter not in func:
                continue
            if at is not None and (func, args, at) in ran:
                # Run once already and scheduled again for the same later time (a message
                # still inside the quiet hours): a worker waits for that time, so does this.
                later.append((func, args, queue, at))
                continue
            ran.add((func, args, at))
            done.append((func, args, import_string(func)(*args)))
        jobs.extend(later)
        return done

    return run


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf(app):
    """Turn CSRF protection on for one test."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def rate_limit(app):
    limiter.enabled = True
    limiter.reset()
    yield
    limiter.enabled = False


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


class Inbox:
    """Messages received by the in-process SMTP server."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp():
    """A real SMTP server on a free port (aiosmtpd) for workers to send through."""
    inbox = Inbox()
    with socket.socket() as probe:  # a free port: aiosmtpd's readiness check cannot use 0
        probe.bind(("127.0.0.1", 0))
        inbox.port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def own_redis(app):
    """Jobs go to a Redis server of this test's own, which it may stop and start (the shared
    one is never touched); pending outbox rows are cleared afterwards."""
    from app.core import outbox
    from tests.faults import RedisServer

    server = RedisServer().start()
    saved = app.config["REDIS_URL"], app.extensions.pop("fitflow_redis", None)
    app.config.update(REDIS_URL=server.url, JOBS_CAPTURE=None)
    yield server
    app.config["REDIS_URL"] = saved[0]
    app.extensions.pop("fitflow_redis", None)
    if saved[1] is not None:
        app.extensions["fitflow_redis"] = saved[1]
    with app.app_context():
        db.session.execute(delete(outbox.OutboxJob).where(outbox.OutboxJob.sent_at.is_(None)))
        db.session.commit()
    server.close()


@pytest.fixture
def world(app):
    """A studio with something of every kind, its owner the one who sees it (tests/world.py)."""
    from tests.world import make_world

    return make_world()


def login(client, user, password="secret-pass"):
    """Sign `user` in through the real login form."""
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: skips there would hide a missing service."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if os.environ.get("CI") and reporter is not None and reporter.stats.get("skipped"):
        reporter.write_line("CI: tests were skipped; failing the run", red=True)
        session.exitstatus = 1
