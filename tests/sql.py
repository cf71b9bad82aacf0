"""Counting the SQL statements a request sends (statement counts must not grow with the data)."""

from sqlalchemy import event

from app.extensions import db


class Statements:
    """Counts the SQL statements the app sends while in use (not the tests' savepoints)."""

    def __init__(self):
        self.count = 0

    def __call__(self, conn, cursor, statement, *args):
        self.count += not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))

    def during(self, call):
        self.count = 0
        event.listen(db.engine, "before_cursor_execute", self)
        try:
            response = call()
        finally:
            event.remove(db.engine, "before_cursor_execute", self)
        assert response.status_code == 200
        return self.count
