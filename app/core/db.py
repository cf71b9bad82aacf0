"""Database helpers: aware UTC timestamps, a timestamp mixin, dialect checks, bounded lock waits."""

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import wraps
from zoneinfo import ZoneInfo

from flask import abort
from sqlalchemy import Date, DateTime, Enum, Integer, bindparam, event, exists, select, text, types
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.functions import FunctionElement

from app.extensions import db

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(types.TypeDecorator):
    """Stores aware datetimes as UTC; hands back aware UTC datetimes on every database.

    SQLite keeps no zone, so values are normalised on the way in and re-labelled on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


def commit_keeping_loaded() -> None:
    """Commit without expiring what the session has loaded, for an answer rendered right away
    from the rows this request read and wrote (the booking panel): they are what was just
    committed, and expiring them would re-read each one (studio, class, user) by itself."""
    session = db.session()
    previous, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = previous


def use_asynchronous_commit() -> None:
    """Let the current transaction's commit return before PostgreSQL has written it to disk
    (`synchronous_commit` off for it alone): for a run of small commits, each one the record
    of something already done outside (a message sent), where waiting for the disk on every
    one would cost more than the work. A crash of this process loses nothing; a crash of
    PostgreSQL itself may lose the last fraction of a second of them."""
    if is_postgresql():
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def one_of(column, values):
    """`column IN (…)` with the values written into the SQL, not bound. psycopg prepares a
    statement it runs often, and PostgreSQL's generic plan for it cannot know bound values: a
    partial index whose condition they satisfy (one active booking per customer and class) is
    then passed over for a worse one. Only for fixed sets of constants, never for user input."""
    return column.in_(bindparam(None, list(values), expanding=True, literal_execute=True))


def _insert_of(kind: str):
    if kind == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def dialect_insert(model):
    """INSERT for the database in use, with its ON CONFLICT clauses (PostgreSQL or SQLite)."""
    return _insert_of(db.session.get_bind().dialect.name)(model)


def insert_built_once(build: Callable) -> Callable:
    """For a hot INSERT … ON CONFLICT: `build(insert)` makes it with the `insert` of one
    database kind (PostgreSQL's or SQLite's); the decorated function, called with nothing,
    returns it for the database in use, built once per kind (building and keying a statement
    costs more than running it; it is run with bound parameters)."""
    built = {}

    @wraps(build)
    def statement():
        kind = db.session.get_bind().dialect.name
        if kind not in built:
            built[kind] = build(_insert_of(kind))
        return built[kind]
    return statement


def is_postgresql() -> bool:
    """True when the bound database is PostgreSQL (row locks, advisory locks, partial indexes)."""
    return db.session.get_bind().dialect.name == "postgresql"


# lock_not_available (lock_timeout), query_canceled (statement_timeout)
_WAITED_TOO_LONG = frozenset({"55P03", "57014"})


@contextmanager
def bounded_wait(timeout_ms: int, busy: Callable[[], Exception], *,
                 whole_statements: bool = False) -> Iterator[None]:
    """Take locks inside this block waiting at most `timeout_ms` for each, on PostgreSQL; a
    longer wait raises `busy()` (a translated "busy, try again"), never hangs a web worker.

    The bound is SET LOCAL: it stays for the rest of the transaction, in one round trip.
    `whole_statements` bounds every statement as well: a second waiter on a row waits twice
    (for the first waiter's tuple lock, then for the holder), and what follows a hot lock must
    be quick anyway (a statement cut short later is a 503, try again: errors_views.py)."""
    if is_postgresql():
        bounds = f"SET LOCAL lock_timeout = {int(timeout_ms)}"
        if whole_statements:
            bounds += f"; SET LOCAL statement_timeout = {int(timeout_ms)}"
        db.session.connection().exec_driver_sql(bounds)
    try:
        yield
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) in _WAITED_TOO_LONG:
            raise busy() from exc
        raise


@contextmanager
def without_waiting(busy: Callable[[], Exception]) -> Iterator[None]:
    """Run the block in a savepoint for row locks taken with NOWAIT: when another transaction
    holds one, the savepoint is rolled back (the transaction stays usable) and `busy()` is
    raised. For a lock taken out of the lock order, which must never be waited for. (SQLite
    has no row locks: the block just runs.)"""
    if not is_postgresql():
        yield
        return
    try:
        with db.session.begin_nested():
            yield
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == "55P03":
            raise busy() from exc
        raise


def str_enum(cls, name: str) -> Enum:
    """A portable enum column storing the values (a CHECK constraint, not a native type)."""
    return Enum(cls, name=name, native_enum=False, length=20, create_constraint=True,
                values_callable=lambda e: [m.value for m in e], validate_strings=True)


def get_in_studio_or_404(model, studio, row_id: int):
    """Row `row_id` of `model` if it belongs to `studio`; a missing or foreign id is a 404."""
    row = db.session.get(model, row_id)
    if row is None or row.studio_id != studio.id:
        abort(404)
    return row


class local_day(FunctionElement):
    """SQL: the local day of a UTC instant in a zone, `local_day(instant, zone)` (expressions):
    PostgreSQL's `timezone()`; SQLite (the embedded default) asks Python's zoneinfo."""

    type = Date()
    inherit_cache = True


class _LocalNumber(FunctionElement):
    """SQL: a whole number read off the local time of a UTC instant in a zone."""

    type = Integer()
    inherit_cache = True
    part = ""


class local_hour(_LocalNumber):
    inherit_cache = True
    part = "hour"  # 0–23


class local_isodow(_LocalNumber):
    inherit_cache = True
    part = "isodow"  # 1 Monday … 7 Sunday


class local_month_number(_LocalNumber):
    inherit_cache = True
    part = "month_number"  # year × 12 + month − 1: months subtract as whole numbers


class local_day_number(_LocalNumber):
    inherit_cache = True
    part = "day_number"  # days since 1970-01-01: days subtract as whole numbers


class _LocalText(FunctionElement):
    """SQL: the local time of a UTC instant in a zone written as text (for CSVs streamed
    straight from the rows)."""

    type = types.String()
    inherit_cache = True
    part = ""


class local_date_text(_LocalText):
    inherit_cache = True
    part = "date"  # 2026-12-31


class local_time_text(_LocalText):
    inherit_cache = True
    part = "time"  # 23:59


class local_minute_text(_LocalText):
    inherit_cache = True
    part = "minute"  # 2026-12-31 23:59


_PG_TEXT = {"date": "YYYY-MM-DD", "time": "HH24:MI", "minute": "YYYY-MM-DD HH24:MI"}
_PY_TEXT = {"date": "%Y-%m-%d", "time": "%H:%M", "minute": "%Y-%m-%d %H:%M"}

_PG_NUMBER = {
    "hour": "CAST(EXTRACT(hour FROM {t}) AS INTEGER)",
    "isodow": "CAST(EXTRACT(isodow FROM {t}) AS INTEGER)",
    "month_number": "CAST(EXTRACT(year FROM {t}) * 12 + EXTRACT(month FROM {t}) - 1 AS INTEGER)",
    "day_number": "(CAST({t} AS DATE) - DATE '1970-01-01')",
}


def _pg_local(element, compiler, **kw) -> str:
    instant, zone = element.clauses
    return f"timezone({compiler.process(zone, **kw)}, {compiler.process(instant, **kw)})"


@compiles(local_day)
def _local_day_pg(element, compiler, **kw):
    return f"CAST({_pg_local(element, compiler, **kw)} AS DATE)"


@compiles(_LocalNumber)
def _local_number_pg(element, compiler, **kw):
    return _PG_NUMBER[element.part].format(t=_pg_local(element, compiler, **kw))


@compiles(_LocalText)
def _local_text_pg(element, compiler, **kw):
    return f"to_char({_pg_local(element, compiler, **kw)}, '{_PG_TEXT[element.part]}')"


def _sqlite_args(element, compiler, **kw) -> str:
    return ", ".join(compiler.process(c, **kw) for c in element.clauses)


@compiles(local_day, "sqlite")
def _local_day_sqlite(element, compiler, **kw):
    return f"fitflow_local_day({_sqlite_args(element, compiler, **kw)})"


@compiles(_LocalNumber, "sqlite")
def _local_number_sqlite(element, compiler, **kw):
    return f"fitflow_local_number('{element.part}', {_sqlite_args(element, compiler, **kw)})"


@compiles(_LocalText, "sqlite")
def _local_text_sqlite(element, compiler, **kw):
    return f"fitflow_local_text('{element.part}', {_sqlite_args(element, compiler, **kw)})"


def _sqlite_local(instant: str | None, zone: str | None) -> datetime | None:
    if instant is None or zone is None:
        return None
    moment = datetime.fromisoformat(instant)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(ZoneInfo(zone))


_EPOCH_ORDINAL = datetime(1970, 1, 1).toordinal()
_SQLITE_NUMBER = {
    "hour": lambda t: t.hour,
    "isodow": lambda t: t.isoweekday(),
    "month_number": lambda t: t.year * 12 + t.month - 1,
    "day_number": lambda t: t.toordinal() - _EPOCH_ORDINAL,
}


def _sqlite_local_day(instant, zone):
    local = _sqlite_local(instant, zone)
    return local.date().isoformat() if local else None


def _sqlite_local_number(part, instant, zone):
    local = _sqlite_local(instant, zone)
    return _SQLITE_NUMBER[part](local) if local else None


def _sqlite_local_text(part, instant, zone):
    local = _sqlite_local(instant, zone)
    return local.strftime(_PY_TEXT[part]) if local else None


def _sqlite_functions(engine) -> None:
    @event.listens_for(engine, "connect")
    def _register(dbapi_conn, _record):
        dbapi_conn.create_function("fitflow_local_day", 2, _sqlite_local_day, deterministic=True)
        dbapi_conn.create_function("fitflow_local_number", 3, _sqlite_local_number,
                                   deterministic=True)
        dbapi_conn.create_function("fitflow_local_text", 3, _sqlite_local_text,
                                   deterministic=True)


def init_app(app) -> None:
    """Label PostgreSQL connections `<DB_APPLICATION_NAME>:<pid>` (pg_stat_activity shows which
    process holds which connection: the drills find a busy work-horse that way), and end each
    request's session quietly when its connection died after the response was made."""
    with app.app_context():
        engine = db.engine
    # Runs before Flask-SQLAlchemy's own teardown (registered earlier, called later): a ROLLBACK
    # on a connection killed meanwhile (pg_terminate_backend, a restart) would otherwise raise
    # after the view returned and turn a finished request into a 500.
    app.teardown_appcontext(_close_session)
    _track_writes(engine)
    if engine.dialect.name == "sqlite":
        _sqlite_functions(engine)
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "do_connect")
    def _label(dialect, conn_rec, cargs, cparams):
        cparams.setdefault("application_name", f"{app.config['DB_APPLICATION_NAME']}:{os.getpid()}")


WROTE = "fitflow_wrote"  # Connection.info: the transaction ran something other than a SELECT


def _track_writes(engine) -> None:
    @event.listens_for(engine, "begin")
    def _began(conn):
        conn.info[WROTE] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _statement(conn, cursor, statement, parameters, context, executemany):
        if not conn.info.get(WROTE) and statement.lstrip()[:6].upper() != "SELECT":
            conn.info[WROTE] = True


def _read_only(session) -> bool:
    """The session's transaction only read: nothing pending, and every statement on its
    connections a SELECT (a WITH, a SET or anything else counts as a write)."""
    transaction = session.get_transaction()
    if transaction is None or session.new or session.dirty or session.deleted:
        return False
    # SessionTransaction keeps (connection, transaction, …) per bind (SQLAlchemy 2.x); should
    # that change, this answers False and every request is rolled back: correct, only slower.
    held = getattr(transaction, "_connections", None)
    connections = [entry[0] for entry in held.values()] if isinstance(held, dict) else []
    return bool(connections) and not any(conn.info.get(WROTE, True) for conn in connections)


def _close_session(exc) -> None:
    """End the request's session. A transaction that only read ends with COMMIT, which is the
    same as ROLLBACK for it, because psycopg forgets the connection's prepared statements on
    every ROLLBACK: pages would have each statement parsed and planned again on every request
    (figures: docs/benchmarks.md). Anything else is rolled back."""
    try:
        if exc is None and _read_only(db.session()):
            commit_keeping_loaded()  # like closing: what was loaded stays readable
        db.session.remove()
    except (OperationalError, InterfaceError) as err:
        log.warning("database connection lost after the response: %s", str(err).splitlines()[0])


def exists_in_studio(model, studio_id: int, *criteria) -> bool:
    """Whether `studio_id` has any row of `model` (matching `criteria`): one EXISTS query."""
    return bool(db.session.scalar(select(exists().where(model.studio_id == studio_id,
                                                        *criteria))))
