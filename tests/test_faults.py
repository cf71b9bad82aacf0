"""Fault drills through the web app: Redis stopped, PostgreSQL connections killed (idle and in
the middle of a request), a class row held locked by another session.

Each failure is foreseeable, so each answer is a translated 503 with Retry-After, never a 500 and
never a half-written booking; what does not need the failed part keeps working.
"""

import hashlib
import os
import signal
import threading
import time
import uuid

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from limits.storage import RedisStorage
from limits.strategies import FixedWindowRateLimiter
from rq.job import Job
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from app import create_app
from app.billing.models import Invoice, PaymentMethod
from app.billing.services.orders import place_order
from app.billing.services.payments import record_payment
from app.bookings import services
from app.bookings.models import Booking, BookingStatus
from app.core import outbox
from app.core.db import _close_session
from app.core.outbox import OutboxJob
from app.extensions import db, limiter
from tests.conftest import login, test_config
from tests.factories import ClassFactory, PlanFactory, StudioFactory, UserFactory
from tests.faults import WorkerProcess, admin_connection, backends, wait_for
from tests.pages import Page

HX = {"HX-Request": "true"}
BUSY_EN = "The service is busy. Please try again in a moment."


def busy(lang: str) -> str:
    with force_locale(lang):
        return _(BUSY_EN)


def book_url(cls) -> str:
    return f"/s/{cls.studio.slug}/classes/{cls.id}/book"


# --- Redis stopped --------------------------------------------------------------------------


@pytest.fixture
def limiter_on_own_redis(own_redis, monkeypatch):
    """The login rate limiter on Redis storage, as in production (tests use memory)."""
    storage = RedisStorage(own_redis.url, socket_connect_timeout=1, socket_timeout=1)
    monkeypatch.setattr(limiter, "_storage", storage)
    monkeypatch.setattr(limiter, "_limiter", FixedWindowRateLimiter(storage))
    limiter.enabled = True
    yield own_redis
    limiter.enabled = False


def test_redis_down_bookings_commit_their_jobs_wait_and_login_answers_503(
        app, client, limiter_on_own_redis):
    redis = limiter_on_own_redis
    studio = StudioFactory()
    full = ClassFactory(studio=studio, capacity=1)
    me, waiting = UserFactory(), UserFactory()
    mine = services.book_class(studio, full, me, actor=me)
    theirs = services.book_class(studio, full, waiting, actor=waiting)
    other = ClassFactory(studio=studio, capacity=5)
    db.session.commit()
    login(client, me)  # through the rate limiter, while Redis is up

    redis.stop()
    assert client.get("/healthz").status_code == 503
    booked = client.post(book_url(other), headers=HX)
    assert booked.status_code == 200
    cancel = f"/s/{studio.slug}/classes/{full.id}/bookings/{mine.id}/cancel"
    assert client.post(cancel, headers=HX).status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(Booking.status).where(
        Booking.class_id == other.id, Booking.customer_id == me.id)) == BookingStatus.CONFIRMED
    assert db.session.get(Booking, theirs.id).status == BookingStatus.CONFIRMED  # promoted
    # Their "you are in" email waits in the outbox until Redis is back (tests/test_outbox.py),
    # with the three bookings' confirmations and the cancellation's e-mail.
    pending = db.session.scalars(select(OutboxJob.func).where(OutboxJob.sent_at.is_(None))).all()
    assert sorted(f.rsplit(".", 1)[1] for f in pending) == sorted(
        ["send_booking_confirmed"] * 3 + ["send_booking_cancelled", "send_promoted"])

    # The login form needs the rate limiter, which needs Redis: a clear 503, in both languages.
    for lang in ("en", "ar"):
        started = time.monotonic()
        response = client.post(f"/login?lang={lang}", data={"email": me.email,
                                                            "password": "secret-pass"})
        assert response.status_code == 503, response.get_data(as_text=True)[:300]
        assert response.headers["Retry-After"] == "5"
        assert busy(lang) in Page(response).text("h1")
        assert time.monotonic() - started < 2.5  # refused fast, no hung worker
    assert busy("ar") != BUSY_EN

    redis.start()
    assert client.post("/login", data={"email": me.email, "password": "secret-pass"}
                       ).status_code == 303


# --- PostgreSQL connections killed ------------------------------------------------------------


@pytest.fixture
def committed_class(app):
    """A committed studio, a 5-spot class and a customer (these drills use real connections)."""
    with app.app_context():
        studio = StudioFactory(slug=f"drill-{uuid.uuid4().hex[:8]}")
        cls = ClassFactory(studio=studio, capacity=5)
        user = UserFactory(email=f"drill-{uuid.uuid4().hex[:8]}@example.com")
        db.session.commit()
        yield studio.slug, cls.id, user.email


def bookings(app, class_id: int) -> list:
    with app.app_context():
        return db.session.execute(select(Booking.customer_id, Booking.status)
                                  .where(Booking.class_id == class_id)).all()


def hold_class_lock(app, class_id: int):
    """Another session locks the class row (SELECT … FOR UPDATE) until rolled back."""
    holder = admin_connection(app)
    holder.autocommit = False
    holder.execute("SELECT id FROM classes WHERE id = %s FOR UPDATE", (class_id,))
    return holder


@pytest.mark.concurrency
@pytest.mark.parametrize("pre_ping", [True, False], ids=["pre-ping", "negative-control"])
def test_idle_pooled_connections_killed_cost_no_request(app, committed_class, pre_ping):
    """pg_terminate_backend on every idle connection of the pool: with pool_pre_ping the next
    requests get fresh connections; without it the first one fails (as a 503, not a 500)."""
    slug, class_id, email = committed_class
    other = create_app(test_config(app.config["SQLALCHEMY_DATABASE_URI"], 0,
                                   SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": pre_ping,
                                                              "pool_size": 2},
                                   DB_APPLICATION_NAME=f"fitflow-drill-{uuid.uuid4().hex[:6]}"))
    client = other.test_client()
    try:
        assert client.get(f"/s/{slug}/schedule").status_code == 200  # the pool holds a connection
        admin = admin_connection(app)
        idle = backends(admin, role=other.config["DB_APPLICATION_NAME"])
        assert idle
        for pid, *_ in idle:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        statuses = [client.get(f"/s/{slug}/schedule").status_code for _ in range(5)]
    finally:
        with other.app_context():
            db.engine.dispose()
    if pre_ping:
        assert statuses == [200] * 5
    else:
        assert statuses[0] == 503 and statuses[1:] == [200] * 4


@pytest.mark.concurrency
def test_a_connection_killed_mid_booking_fails_that_request_only_and_writes_nothing(
        app, committed_class):
    slug, class_id, email = committed_class
    client = app.test_client()
    with app.app_context():
        user = db.session.scalar(select(UserFactory._meta.model).where(
            UserFactory._meta.model.email == email))
        login(client, user)
    app.config["BOOKING_LOCK_TIMEOUT_MS"] = 20000  # the request waits on the lock until killed
    admin, holder = admin_connection(app), hold_class_lock(app, class_id)
    answer = {}
    url = f"/s/{slug}/classes/{class_id}/book?lang=ar"
    request = threading.Thread(target=lambda: answer.update(r=client.post(url, headers=HX)))
    try:
        request.start()
        (pid, *_), = wait_for(lambda: backends(admin, role="fitflow-web", query_like="%FOR UPDATE%",
                                               waiting=True), timeout=10,
                              what="the booking request waiting on the class lock")
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        request.join(timeout=10)
    finally:
        holder.rollback()
        holder.close()
        app.config["BOOKING_LOCK_TIMEOUT_MS"] = 3000
    response = answer["r"]
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5" and response.headers["HX-Reswap"] == "none"
    page = Page(response)
    alert = page.one("[hx-swap-oob]")  # replaces the page's alert slot: failures never pile up
    assert (alert.get("id"), alert.get("hx-swap-oob")) == ("page-alert", "true")
    assert page.text('[hx-swap-oob] [role="alert"]') == busy("ar")
    assert bookings(app, class_id) == []  # nothing half-written
    # The next request gets a fresh connection and books.
    again = client.post(url, headers=HX)
    assert again.status_code == 200
    assert [s for _c, s in bookings(app, class_id)] == [BookingStatus.CONFIRMED]


# --- a class row held locked --------------------------------------------------------------------


@pytest.mark.concurrency
def test_a_locked_class_answers_busy_in_the_panel_within_the_lock_timeout(app, committed_class):
    """Another session holds the class row: the booking gives up after BOOKING_LOCK_TIMEOUT_MS
    with a translated "busy" in the booking panel, a 503 and Retry-After; the worker is free."""
    slug, class_id, email = committed_class
    client = app.test_client()
    with app.app_context():
        user = db.session.scalar(select(UserFactory._meta.model).where(
            UserFactory._meta.model.email == email))
        login(client, user)
    app.config["BOOKING_LOCK_TIMEOUT_MS"] = 500
    holder = hold_class_lock(app, class_id)
    try:
        started = time.monotonic()
        response = client.post(f"/s/{slug}/classes/{class_id}/book?lang=ar", headers=HX)
        waited = time.monotonic() - started
        schedule = client.get(f"/s/{slug}/schedule")  # other pages are not held up meanwhile
    finally:
        holder.rollback()
        holder.close()
        app.config["BOOKING_LOCK_TIMEOUT_MS"] = 3000
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    from app.bookings.errors import ClassBusy

    with force_locale("ar"):
        message = str(ClassBusy())
    assert message in Page(response).text(f"#booking-panel-{class_id}")
    assert 0.5 <= waited < 2.5
    assert schedule.status_code == 200
    assert bookings(app, class_id) == []
    assert client.post(f"/s/{slug}/classes/{class_id}/book", headers=HX).status_code == 200


# --- the work-horse killed in the middle of a PDF ------------------------------------------------


def paid_invoice(app) -> tuple[int, str, str]:
    """A committed, paid order: its invoice id and number, and the RQ id of its render job."""
    with app.app_context():
        studio = StudioFactory(slug=f"drill-{uuid.uuid4().hex[:8]}")
        customer = UserFactory(email=f"drill-{uuid.uuid4().hex[:8]}@example.com")
        order = place_order(studio, PlanFactory(studio=studio), customer, actor=customer)
        record_payment(studio, order, amount_minor=order.gross_minor, method=PaymentMethod.CASH,
                       actor=customer)
        db.session.commit()
        outbox.relay_pending()  # the relay loop's work, here: the job carries this test's retries
        invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
        (job_id,) = [row.job_id for row in db.session.scalars(select(OutboxJob).where(
            OutboxJob.func == "workers.jobs.documents.render_invoice_pdf"))
            if row.args == [invoice.id]]
        return invoice.id, invoice.number, job_id


def hold_invoice(app, invoice_id: int):
    """Lock the invoice row from another session: a render job blocks right before storing."""
    holder = admin_connection(app)
    holder.autocommit = False
    holder.execute("SELECT id FROM invoices WHERE id = %s FOR UPDATE", (invoice_id,))
    return holder


def horse_storing_pdf(admin, worker) -> int:
    """The pid of the work-horse that has rendered a PDF and waits to store it."""
    (_pid, name, *_), = wait_for(
        lambda: backends(admin, role="fitflow-worker", query_like="UPDATE invoices%",
                         waiting=True), timeout=60,
        what=f"the work-horse storing the PDF ({worker.log})")
    return int(name.rsplit(":", 1)[1])


@pytest.mark.concurrency
@pytest.mark.xdist_group("worker")
@pytest.mark.parametrize("retries", [[1], []], ids=["retried", "negative-control-no-retry"])
def test_a_work_horse_killed_mid_pdf_is_retried_and_leaves_one_pdf(app, own_redis, smtp, tmp_path,
                                                                  retries):
    """SIGKILL the work-horse after it rendered an invoice and while it waits to store it (the
    drill holds the invoice row, so the moment is exact): RQ sees the horse die, the retry
    renders again, one PDF is stored and one email carries it. Without a retry the job fails
    and no PDF exists (negative control)."""
    app.config["JOBS_RETRY_INTERVALS"] = retries
    try:
        invoice_id, number, job_id = paid_invoice(app)  # its render job goes to Redis now
    finally:
        app.config["JOBS_RETRY_INTERVALS"] = [10, 60, 300]
    admin, holder = admin_connection(app), hold_invoice(app, invoice_id)
    worker = WorkerProcess(app, own_redis.url, tmp_path, smtp.port).start()
    job = lambda: Job.fetch(job_id, connection=own_redis.client())  # noqa: E731
    try:
        horse = horse_storing_pdf(admin, worker)
        assert horse in worker.children()  # ours to kill: the worker's work-horse
        os.kill(horse, signal.SIGKILL)
        holder.rollback()  # the dead horse's transaction rolls back; the row is free again
        final = "finished" if retries else "failed"
        wait_for(lambda: job().get_status() == final, timeout=60,
                 what=f"the job to be {final} ({worker.log})")
        if retries:
            wait_for(lambda: smtp.messages, timeout=30, what="the receipt email")
    finally:
        holder.close()
        worker.stop()
    assert "Work-horse terminated unexpectedly" in worker.output() and "signal 9" in worker.output()
    pdf, sha = admin.execute("SELECT pdf, pdf_sha256 FROM invoices WHERE id = %s",
                             (invoice_id,)).fetchone()
    if not retries:
        assert (pdf, sha, smtp.messages) == (None, None, [])
        return
    assert job().retries_left == 0  # ran twice: killed once, then succeeded
    assert bytes(pdf).startswith(b"%PDF") and hashlib.sha256(bytes(pdf)).hexdigest() == sha
    (mail,) = smtp.messages
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == f"{number}.pdf"
    assert hashlib.sha256(attachment.get_content()).hexdigest() == sha


@pytest.mark.concurrency
@pytest.mark.xdist_group("worker")
def test_redis_stopped_under_a_running_pdf_job_the_worker_starts_again(app, own_redis, smtp,
                                                                      tmp_path):
    """Redis goes away while a work-horse renders: the horse still stores the PDF (the database
    is fine) and its email job waits in the outbox; RQ's worker quits when it cannot read the
    job's status, `python -m workers` starts it again once Redis answers, and the email goes out
    once."""
    invoice_id, number, _job_id = paid_invoice(app)
    admin, holder = admin_connection(app), hold_invoice(app, invoice_id)
    worker = WorkerProcess(app, own_redis.url, tmp_path, smtp.port).start()
    try:
        horse_storing_pdf(admin, worker)
        own_redis.stop()
        holder.rollback()  # the horse stores the PDF and commits; Redis is gone
        wait_for(lambda: admin.execute("SELECT pdf_sha256 FROM invoices WHERE id = %s",
                                       (invoice_id,)).fetchone()[0], timeout=30,
                 what="the PDF to be stored")
        wait_for(lambda: "starting again once Redis answers" in worker.output(), timeout=30,
                 what=f"the worker to notice ({worker.log})")
        own_redis.start()
        wait_for(lambda: smtp.messages, timeout=60, what=f"the receipt email ({worker.log})")
        wait_for(lambda: admin.execute("SELECT count(*) FROM job_outbox WHERE sent_at IS NULL"
                                       ).fetchone()[0] == 0, timeout=30, what="the outbox")
    finally:
        holder.close()
        worker.stop()
    sha = admin.execute("SELECT pdf_sha256 FROM invoices WHERE id = %s",
                        (invoice_id,)).fetchone()[0]
    (mail,) = smtp.messages
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == f"{number}.pdf"
    assert hashlib.sha256(attachment.get_content()).hexdigest() == sha


@pytest.mark.concurrency
@pytest.mark.parametrize("quiet", [True, False], ids=["quiet-close", "negative-control"])
def test_a_connection_killed_after_the_response_is_made_is_not_a_500(app, committed_class, quiet):
    """The view has answered, its session still holds a read transaction, and the connection is
    killed before the request ends: the answer stands. Without the quiet close, Flask-SQLAlchemy's
    teardown ROLLBACK raises and the finished request becomes a 500 (seen in bench D1)."""

    slug, _class_id, _email = committed_class
    other = create_app(test_config(app.config["SQLALCHEMY_DATABASE_URI"], 0))
    admin = admin_connection(app)

    @other.after_request
    def kill_own_connection(response):
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        return response

    if not quiet:
        other.teardown_appcontext_funcs.remove(_close_session)
    client = other.test_client()
    try:
        if quiet:
            assert client.get(f"/s/{slug}/schedule").status_code == 200
        else:  # the test client re-raises what gunicorn would answer with a 500
            with pytest.raises(OperationalError, match="administrator command"):
                client.get(f"/s/{slug}/schedule")
    finally:
        with other.app_context():
            db.engine.dispose()
