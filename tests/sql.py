"""Counting the SQL statements a request or a service sends (counts must not grow with the data)."""

from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db


class Statements:
    """Counts the SQL statements the app sends while in use (not the tests' savepoints)."""

    def __init__(self):
        self.count = 0
        self.texts: list[str] = []

    def __call__(self, conn, cursor, statement, *args):
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.count += 1
            self.texts.append(statement)

    @contextmanager
    def counting(self):
        """`with Statements().counting() as sql: …` then sql.count."""
        self.count = 0
        self.texts = []
        event.listen(db.engine, "before_cursor_execute", self)
        try:
            yield self
        finally:
            event.remove(db.engine, "before_cursor_execute", self)

    def during(self, call):
        """The statements of one request, `call()`, which must answer 200."""
        with self.counting():
            response = call()
        assert response.status_code == 200
        return self.count
