"""The control routes the benchmark compares real pages against, and a SQL statement counter.

`/_bench/hello` is the floor of the stack; `/_bench/schedule/<studio>` renders the real week
page from data loaded once per process (the template's cost without the database's);
`POST /_bench/write-floor` is the floor of a write: one INSERT … RETURNING and a COMMIT through
the same app, session, sign-in and CSRF check as a booking (P2). Every response carries
`X-SQL-Count`: the statements the request ran. Only bench.wsgi installs them: the product's
entry point (wsgi.py) has no way to.
"""

from datetime import timedelta

from flask import Blueprint, Flask, g, render_template
from flask_login import current_user, login_required
from sqlalchemy import event, text

from app.bookings.week import WeekResults
from app.core.db import utcnow
from app.core.lifecycle import perform
from app.extensions import db
from app.schedule.frames import load_frame
from app.schedule.queries import ScheduleFilters, local_today

bp = Blueprint("bench", __name__, url_prefix="/_bench")
_contexts: dict[tuple[str, int], dict] = {}


def install(app: Flask) -> None:
    """Add the control routes and the `X-SQL-Count` header to `app`. The bench's staff sign in
    with a password alone: the console's second step (a person at a phone) is not what the
    staff pages' figures measure."""
    app.config["SECOND_STEP_FOR_STAFF"] = False
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


@bp.get("/hello")
def hello():
    return "hello"


# The write floor's table: the bench database's own, made by the harness (bench/figures.py).
WRITE_FLOOR_TABLE = ("CREATE TABLE IF NOT EXISTS bench_write_floor (id bigserial PRIMARY KEY,"
                     " user_id integer NOT NULL, created_at timestamptz NOT NULL)")
WRITE_FLOOR_PATH = "/_bench/write-floor"
_WRITE = text("INSERT INTO bench_write_floor (user_id, created_at) VALUES (:user_id, :now)"
              " RETURNING id")


@bp.post("/write-floor")
@login_required
def write_floor():
    """One INSERT … RETURNING and its COMMIT, as a view hands a service to `perform`."""
    return perform(lambda: db.session.execute(_WRITE, {"user_id": current_user.id,
                                                       "now": utcnow()}).scalar_one(),
                   lambda written: f'<p id="written">{written}</p>')


@bp.get("/schedule/<studio>")
def schedule_control(studio: str):
    """schedule/week.html from a context built on the first call (per user), then kept in memory."""
    key = (studio, getattr(current_user, "id", 0))
    context = _contexts.get(key)
    if context is None:
        context = _build(studio)
        render_template("bookings/week.html", **context)  # loads every lazy attribute once
        db.session.expunge_all()  # detached, fully loaded: later renders touch no database
        _contexts[key] = context
    return render_template("bookings/week.html", **context)


def _build(slug: str) -> dict:
    """The same context the real week view builds (app/schedule/views.py:week), loaded."""
    frame = load_frame(slug)
    today = local_today(frame.tz)
    week = WeekResults(frame, today, today, ScheduleFilters(), current_user, utcnow())
    week.key  # noqa: B018  (loads the days and states now)
    return dict(studio=frame.studio, tz=frame.tz, today=today, start=today,
                filters=ScheduleFilters(), week=week, prev_week=today - timedelta(days=7),
                next_week=today + timedelta(days=7), locations=frame.locations,
                class_types=frame.class_types, coaches=frame.coaches)
