"""Jobs through the real parts: Redis, `python -m workers` (RQ with its scheduler), SMTP.

These tests commit for real (the worker is another process on its own connection), so they
opt out of the per-test savepoint and use unique data.
"""

import os
import signal
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from flask import g
from rq import Queue, SimpleWorker
from sqlalchemy import select
from sqlalchemy.orm import undefer

from app.accounts.models import AccountLink, LinkPurpose
from app.accounts.services.deletion import delete_account
from app.billing.models import Invoice, Order, OrderStatus, PaymentMethodKind, StripeEvent
from app.billing.services.orders import place_order
from app.bookings import services
from app.bookings.models import Booking, BookingStatus, CancelReason
from app.core.db import utcnow
from app.core.jobs import enqueue_after_commit
from app.core.mail import read_mailbox
from app.core.queues import redis_connection
from app.extensions import db
from app.notifications.models import Notification
from app.studios.models import WaitlistMode
from tests.billing.fake_stripe import signed
from tests.factories import ClassFactory, PlanFactory, StudioFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def real_queue(app):
    """Jobs go to Redis for real in this test."""
    app.config["JOBS_CAPTURE"] = None
    with app.app_context():
        conn = redis_connection()
        conn.flushdb()
        yield conn


def run_worker(app, smtp) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "REDIS_URL": app.config["REDIS_URL"], "SECRET_KEY": app.config["SECRET_KEY"],
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port), "BASE_URL": "http://fitflow.test"}
    return subprocess.run([sys.executable, "-m", "workers", "--burst"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


pytestmark = pytest.mark.xdist_group("worker")


@pytest.mark.concurrency
def test_worker_sends_the_verification_email_once(app, real_queue, smtp):
    with app.app_context():
        user = UserFactory(email=f"new-{uuid.uuid4().hex[:8]}@example.test", email_verified_at=None,
                           locale="ar")
        enqueue_after_commit("workers.jobs.accounts.send_verification", user.id,
                             queue="notifications")
        db.session.commit()
        user_id = user.id

    result = run_worker(app, smtp)
    assert result.returncode == 0, result.stderr[-2000:]
    # The worker also keeps the hourly membership renewals scheduled.
    assert "renew-memberships" in (Queue("default", connection=real_queue)
                                   .scheduled_job_registry.get_job_ids())
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["To"] == user.email
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "http://fitflow.test/verify/" in body

    # Running the same job again (a retry) sends nothing more: the dedup key was recorded.
    with app.app_context():
        enqueue_after_commit("workers.jobs.accounts.send_verification", user_id,
                             queue="notifications")
        db.session.commit()
    assert run_worker(app, smtp).returncode == 0
    assert len(smtp.messages) == 1
    with app.app_context():
        assert db.session.scalar(select(Notification)
                                 .where(Notification.user_id == user_id)).sent_at


@pytest.mark.concurrency
def test_the_worker_keeps_the_address_change_link_it_sends(app, real_queue, smtp):
    """The link row the job makes commits with the job: the link mailed opens."""
    with app.app_context():
        user = UserFactory(email=f"old-{uuid.uuid4().hex[:8]}@example.test")
        new = f"new-{uuid.uuid4().hex[:8]}@example.test"
        enqueue_after_commit("workers.jobs.accounts.send_email_change", user.id, new,
                             queue="notifications")
        db.session.commit()
        user_id = user.id

    result = run_worker(app, smtp)
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(m["To"] for m in smtp.messages) == sorted([user.email, new])
    with app.app_context():
        link = db.session.scalar(select(AccountLink).where(AccountLink.user_id == user_id))
        assert link is not None and link.email == new and link.purpose == LinkPurpose.EMAIL


@pytest.mark.concurrency
def test_the_worker_says_goodbye_to_a_deleted_accounts_old_address(app, real_queue, smtp):
    with app.app_context():
        user = UserFactory(email=f"leaving-{uuid.uuid4().hex[:8]}@example.test", locale="ar")
        address = user.email
        delete_account(user)
        db.session.commit()

    result = run_worker(app, smtp)
    assert result.returncode == 0, result.stderr[-2000:]
    (mail,) = [m for m in smtp.messages if m["To"] == address]
    assert mail["Subject"] == "حُذف حسابك في FitFlow"


@pytest.mark.concurrency
def test_scheduled_offer_expiry_runs_in_the_worker(app, real_queue, smtp):
    """claim mode: an offer whose hold has run out passes to the next person, by the scheduler."""
    with app.app_context():
        studio = StudioFactory(waitlist_mode=WaitlistMode.CLAIM, offer_hold_minutes=5)
        cls = ClassFactory(studio=studio, capacity=1)
        a, b, c = UserFactory.create_batch(3)
        first = services.book_class(studio, cls, a, actor=a)
        offered = services.book_class(studio, cls, b, actor=b)
        nxt = services.book_class(studio, cls, c, actor=c)
        db.session.commit()
        # Cancelled "ten minutes ago": the 5-minute hold of the offer to b is already over.
        services.cancel_booking(studio, first, actor=a, now=utcnow() - timedelta(minutes=10))
        db.session.commit()
        ids = offered.id, nxt.id
        emails = [b.email, c.email]
        assert offered.status == BookingStatus.OFFERED

    result = run_worker(app, smtp)
    assert result.returncode == 0, result.stderr[-2000:]
    with app.app_context():
        b_booking, c_booking = (db.session.get(Booking, i) for i in ids)
        assert ((b_booking.status, b_booking.cancel_reason)
                == ("cancelled", CancelReason.OFFER_EXPIRED))
        assert c_booking.status == BookingStatus.OFFERED
    # Both b (first offer) and c (the next offer) were emailed.
    # The first offer had already lapsed when its email job ran: the job re-checks the state and
    # sends nothing stale. The next person's offer is emailed; b hears that the offer ran out.
    offers = [m for m in smtp.messages if m["Subject"] == "A spot is free for you: claim it"]
    assert [m["To"] for m in offers] == [emails[1]]
    assert "http://fitflow.test/s/" in offers[0].get_body(("plain",)).get_content()
    expired = [m["To"] for m in smtp.messages if m["Subject"] == "The spot held for you has gone"]
    assert expired == [emails[0]]


@pytest.mark.concurrency
def test_a_stripe_payment_goes_from_the_webhook_to_the_receipt_through_the_worker(
        app, real_queue, smtp):
    """The webhook stores the event and answers; the worker's relay hands the job to RQ, the
    worker applies the event in its own process (the order is paid, its invoice issued), and
    the invoice's PDF is rendered in a work-horse and mailed."""
    slug = f"card-{uuid.uuid4().hex[:8]}"
    with app.app_context():
        studio = StudioFactory(slug=slug, prices_include_tax=False, stripe_secret_key="sk_test_w",
                               stripe_webhook_secret=f"whsec_{slug}")
        customer = UserFactory(email=f"payer-{uuid.uuid4().hex[:8]}@example.test", locale="ar")
        order = place_order(studio, PlanFactory(studio=studio), customer, actor=customer,
                            method=PaymentMethodKind.CARD)
        db.session.commit()
        order_id, gross, email = order.id, order.gross_minor, customer.email
    event = {"id": f"evt_{slug}", "object": "event", "type": "checkout.session.completed",
             "created": 1, "data": {"object": {
                 "id": f"cs_{slug}", "object": "checkout.session", "mode": "payment",
                 "payment_status": "paid", "amount_total": gross,
                 "payment_intent": f"pi_{slug}", "metadata": {"order_id": str(order_id)}}}}
    body, headers = signed(event, f"whsec_{slug}")
    answer = app.test_client().post(f"/webhooks/stripe?studio={slug}", data=body,
                                    headers=headers)
    assert answer.json == {"outcome": "received"}
    with app.app_context():
        assert db.session.get(Order, order_id).status == OrderStatus.AWAITING_PAYMENT

    result = run_worker(app, smtp)
    assert result.returncode == 0, result.stderr[-2000:]
    with app.app_context():
        assert db.session.get(Order, order_id).status == OrderStatus.PAID
        stored = db.session.scalar(select(StripeEvent).where(StripeEvent.event_id == event["id"]))
        assert stored.outcome == "processed" and stored.processed_at is not None
        invoice = db.session.scalar(select(Invoice).where(Invoice.order_id == order_id)
                                    .options(undefer(Invoice.pdf)))
        assert invoice.pdf.startswith(b"%PDF")
    (mail,) = [m for m in smtp.messages if m["To"] == email]
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == f"{invoice.number}.pdf"


def remember_in_g(value: int) -> tuple[int | None, int]:
    """A job for the test below: what an earlier job left in `g`, and the process it ran in."""
    earlier = g.get("remembered")
    g.remembered = value
    return earlier, os.getpid()


@pytest.mark.concurrency
@pytest.mark.parametrize("fresh", [True, False], ids=["own-context", "negative-control"])
def test_short_jobs_run_in_the_worker_each_in_a_context_of_its_own(app, real_queue, monkeypatch,
                                                                   fresh):
    """Jobs of the default queue run in the worker's process (no fork), and none sees what an
    earlier one left in `g` or its session, as in a forked work-horse."""
    from workers.__main__ import FitFlowWorker

    if not fresh:  # the worker's one long-lived context, shared by every job
        monkeypatch.setattr(FitFlowWorker, "execute_job",
                            lambda self, job, queue: SimpleWorker.execute_job(self, job, queue))
    queue = Queue("default", connection=real_queue)
    jobs = [queue.enqueue("tests.test_jobs.remember_in_g", n) for n in (1, 2)]
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with app.app_context():
            FitFlowWorker(["default"], connection=real_queue).work(burst=True)
    finally:  # the worker installed its own; pytest's come back
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    results = [job.return_value(refresh=True) for job in jobs]
    assert [pid for _earlier, pid in results] == [os.getpid()] * 2  # in this process
    assert [earlier for earlier, _pid in results] == ([None, None] if fresh else [None, 1])


def test_inline_mode_runs_jobs_after_commit(app, ctx):
    """Without Redis the same job runs in the web process, in a fresh app context."""
    app.config.update(JOBS_CAPTURE=None, JOBS_INLINE=True)
    try:
        user = UserFactory(email_verified_at=None)
        enqueue_after_commit("workers.jobs.accounts.send_verification", user.id,
                             queue="notifications")
        assert [m for m in read_mailbox() if m["To"] == user.email] == []
        db.session.commit()
        subjects = [m["Subject"] for m in read_mailbox() if m["To"] == user.email]
        assert len(subjects) == 1
    finally:
        app.config.update(JOBS_INLINE=False)


def test_jobs_refuse_objects(app, ctx):
    with pytest.raises(TypeError):
        enqueue_after_commit("workers.jobs.accounts.send_verification", UserFactory())


def test_savepoints_neither_send_early_nor_keep_rolled_back_jobs(app, ctx, jobs):
    """Releasing a savepoint is not a commit; a job queued in a rolled-back savepoint is gone."""
    user = UserFactory()
    enqueue_after_commit("workers.jobs.accounts.send_verification", user.id)
    with db.session.begin_nested():
        enqueue_after_commit("workers.jobs.accounts.send_password_reset", user.id)
    try:
        with db.session.begin_nested():
            enqueue_after_commit("workers.jobs.accounts.send_password_reset", -1)
            raise RuntimeError("undo this savepoint")
    except RuntimeError:
        pass
    assert jobs == []  # nothing is committed yet
    db.session.commit()
    assert [(j[0].rsplit(".", 1)[1], j[1]) for j in jobs] == [
        ("send_verification", (user.id,)), ("send_password_reset", (user.id,))]


def test_the_worker_runs_below_the_web_priority(app):
    """Background renders yield the CPU to page requests (P5 in bench/); 0 leaves it alone."""
    code = ("import os; from workers import yield_to_web; before = os.nice(0); yield_to_web({n});"
            " print(os.nice(0) - before)")
    for niceness, expected in ((app.config["WORKER_NICE"], "10"), (0, "0")):
        out = subprocess.run([sys.executable, "-c", code.format(n=niceness)], check=True,
                             capture_output=True, text=True, cwd=ROOT)
        assert out.stdout.strip() == expected
    # A worker in a session of its own (as the bench's PDF loop, or a service) lowers its
    # autogroup too: Linux weighs sessions against each other by the group's niceness.
    if Path("/proc/self/autogroup").exists():
        code = ("from pathlib import Path; from workers import yield_to_web; yield_to_web(10);"
                " print(Path('/proc/self/autogroup').read_text())")
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                             text=True, cwd=ROOT, start_new_session=True)
        assert out.stdout.strip().endswith("nice 10")
