"""How a request's transaction ends (app/core/db.py): one that only read ends with COMMIT, so
the connection keeps its prepared statements (psycopg drops them on ROLLBACK); anything that
wrote, or still holds changes, is rolled back at the end of the request as before."""

import uuid

import pytest
from sqlalchemy import event, select, text

from app.accounts.models import User
from app.core.db import _close_session
from app.extensions import db

pytestmark = pytest.mark.concurrency  # the real engine and its connections, not the savepoint


@pytest.fixture
def ends(app):
    """The way each transaction on the engine ends: "commit" or "rollback"."""
    seen = []
    with app.app_context():
        engine = db.engine

    def on_commit(conn):
        seen.append("commit")

    def on_rollback(conn):
        seen.append("rollback")

    event.listen(engine, "commit", on_commit)
    event.listen(engine, "rollback", on_rollback)
    yield seen
    event.remove(engine, "commit", on_commit)
    event.remove(engine, "rollback", on_rollback)


@pytest.fixture
def user(app):
    with app.app_context():
        row = User(email=f"tx-{uuid.uuid4().hex[:8]}@example.com", name="Before")
        db.session.add(row)
        db.session.commit()
        yield row.id
        db.session.execute(text("DELETE FROM users WHERE id = :id"), {"id": row.id})
        db.session.commit()


def _name(user_id):
    return db.session.scalar(select(User.name).where(User.id == user_id))


def _request(app, work):
    with app.test_request_context():
        work()
        _close_session(None)  # the app's teardown


@pytest.mark.parametrize("failed", [False, True])
def test_a_request_that_only_read_ends_with_commit_and_keeps_prepared_statements(
        app, ends, user, failed):
    """The negative control (a failed request, rolled back) shows what ROLLBACK costs."""
    with app.test_request_context():
        for _ in range(6):  # psycopg prepares a statement on its 5th run
            _name(user)
        raw = db.session.connection().connection.driver_connection
        _close_session(RuntimeError("the view failed") if failed else None)
    assert ends[-1:] == (["rollback"] if failed else ["commit"])
    # the connection, back in the pool and idle: what PostgreSQL still holds prepared on it
    held = raw.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()[0]
    raw.rollback()
    assert (held == 0) if failed else (held >= 1)


@pytest.mark.parametrize("how", ["orm change not flushed", "orm change flushed", "sql update"])
def test_a_request_that_wrote_without_committing_is_rolled_back(app, ends, user, how):
    def write():
        row = db.session.get(User, user)
        if how == "sql update":
            db.session.execute(text("UPDATE users SET name = 'After' WHERE id = :id"), {"id": user})
        else:
            row.name = "After"
            if how == "orm change flushed":
                db.session.flush()

    _request(app, write)
    assert ends[-1:] == ["rollback"]
    with app.app_context():
        assert _name(user) == "Before"
        db.session.rollback()
