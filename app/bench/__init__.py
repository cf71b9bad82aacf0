"""Control routes and a SQL counter for the benchmark harness (bench/), only with FITFLOW_BENCH=1.

`/_bench/hello` is the floor of the stack; `/_bench/schedule/<studio>` renders the real week
page from data loaded once per process (the template's cost without the database's). Every
response carries `X-SQL-Count`: the statements the request ran.
"""

from flask import Flask, g
from sqlalchemy import event

from app.extensions import db


def init_app(app: Flask) -> None:
    from app.bench.views import bp

    app.register_blueprint(bp)

    @app.before_request
    def _start_count():
        g.sql_count = 0

    @app.after_request
    def _report_count(response):
        response.headers["X-SQL-Count"] = str(g.get("sql_count", 0))
        return response

    with app.app_context():
        @event.listens_for(db.engine, "before_cursor_execute")
        def _count(conn, cursor, statement, parameters, context, executemany):
            if g:  # outside a request/app context there is nothing to count into
                g.sql_count = g.get("sql_count", 0) + 1
