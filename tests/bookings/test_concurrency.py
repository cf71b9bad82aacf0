"""Capacity under real concurrency: separate PostgreSQL connections, committed transactions.

50 customers rush a 5-spot class from 50 threads, each with its own connection and session.
With the class-row lock exactly 5 are confirmed and the rest wait in commit order. The
negative control switches the lock off and forces the worst interleaving (everyone reads the
spot count before anyone writes): the class is overbooked, which is what the lock prevents.
"""

import threading
import time
import uuid

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.bookings import services
from app.bookings.errors import ClassBusy
from app.bookings.models import Booking, BookingStatus
from app.bookings.services import book
from app.extensions import db
from app.memberships.models import CreditEntry
from app.memberships.services import grant_pass
from app.schedule.models import ScheduledClass
from app.studios.models import Studio, StudioCustomer
from tests.concurrency import run_at_once
from tests.factories import ClassFactory, PlanFactory, StudioFactory, UserFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("concurrency")]
N = 50


@pytest.fixture
def rush(app, request):
    """A committed studio, a 5-spot class and N customers; removed afterwards. Parametrized
    `True`: the studio requires a pass, and each customer holds one with a single credit."""
    requires_pass = getattr(request, "param", False)
    with app.app_context():
        studio = StudioFactory(slug=f"rush-{uuid.uuid4().hex[:8]}",
                               booking_requires_pass=requires_pass)
        cls = ClassFactory(studio=studio, capacity=5)
        users = UserFactory.create_batch(N)
        if requires_pass:
            plan = PlanFactory(studio=studio, credits=1)
            for user in users:
                grant_pass(studio, plan, user)
        db.session.commit()
        ids = studio.id, cls.id, [u.id for u in users]
    yield ids
    with app.app_context():
        db.engine.dispose()  # give the 50 connections back to PostgreSQL


def _book(studio_id, class_id, uid):
    studio = db.session.get(Studio, studio_id)
    cls = db.session.get(ScheduledClass, class_id)
    user = db.session.get(User, uid)
    booking = services.book_class(studio, cls, user, actor=user)
    return booking.id, booking.status, services.waitlist_position(booking)


def rush_class(app, studio_id, class_id, user_ids):
    """Every customer books at once, each in its own thread, connection and transaction."""
    return run_at_once(app, lambda uid: _book(studio_id, class_id, uid),
                       [(uid,) for uid in user_ids])


def committed(app, class_id):
    with app.app_context():
        return db.session.execute(
            select(Booking.id,
                   Booking.status).where(Booking.class_id == class_id).order_by(Booking.id)
        ).all()


def kept_spots_taken(app, class_id) -> int:
    with app.app_context():
        return db.session.scalar(select(ScheduledClass.spots_taken)
                                 .where(ScheduledClass.id == class_id))


@pytest.mark.parametrize("rush", [False, True], indirect=True, ids=["free", "pass-required"])
def test_fifty_concurrent_bookings_fill_exactly_five_spots(app, rush):
    studio_id, class_id, user_ids = rush
    results, errors = rush_class(app, studio_id, class_id, user_ids)
    assert errors == []
    rows = committed(app, class_id)
    statuses = [s for _id, s in rows]
    assert len(rows) == N
    assert statuses.count(BookingStatus.CONFIRMED) == 5
    assert statuses.count(BookingStatus.WAITLISTED) == N - 5
    # Each waiting customer was told a distinct position, 1..45, in commit (id) order.
    waiting = sorted((bid, pos) for bid, status, pos in results if status == "waitlisted")
    assert [pos for _bid, pos in waiting] == list(range(1, N - 5 + 1))
    # The five confirmed are the first five to commit.
    assert all(s == BookingStatus.CONFIRMED for s in statuses[:5])
    assert kept_spots_taken(app, class_id) == 5  # the trigger's count, from 50 transactions
    with app.app_context():
        if db.session.get(Studio, studio_id).booking_requires_pass:
            paid = dict(db.session.execute(
                select(CreditEntry.booking_id, CreditEntry.delta)
                .join(Booking, Booking.id == CreditEntry.booking_id)
                .where(Booking.class_id == class_id)).all())
            # Exactly the five confirmed paid, one credit each; a place in line costs nothing.
            assert paid == {bid: -1 for bid, status in rows if status == BookingStatus.CONFIRMED}


@pytest.mark.parametrize("rush", [False, True], indirect=True, ids=["free", "pass-required"])
def test_negative_control_without_the_lock_the_class_is_overbooked(app, rush, monkeypatch):
    studio_id, class_id, user_ids = rush
    readers = threading.Barrier(len(user_ids))

    def no_lock(cls):
        """Re-read the class and its count as lock_class does, without the lock; everyone has
        read the count before anyone inserts."""
        db.session.refresh(cls)
        taken = services.spots_taken(cls)
        readers.wait(timeout=30)
        return taken

    monkeypatch.setattr(book, "lock_class", no_lock)
    results, errors = rush_class(app, studio_id, class_id, user_ids)
    assert errors == []
    confirmed = [s for _id, s in committed(app, class_id)].count(BookingStatus.CONFIRMED)
    assert confirmed > 5, "without the lock the race should overbook the class"
    assert kept_spots_taken(app, class_id) == confirmed  # counted right even so


def test_a_locked_class_answers_busy_instead_of_hanging(app, rush):
    """Another transaction holds the class row: booking gives up after lock_timeout."""
    studio_id, class_id, user_ids = rush
    app.config["BOOKING_LOCK_TIMEOUT_MS"] = 300
    with app.app_context():
        conn = db.engine.connect()
        tx = conn.begin()
        conn.execute(select(ScheduledClass.id).where(ScheduledClass.id == class_id)
                     .with_for_update())
        try:
            studio = db.session.get(Studio, studio_id)
            cls = db.session.get(ScheduledClass, class_id)
            user = db.session.get(User, user_ids[0])
            with pytest.raises(ClassBusy):
                services.book_class(studio, cls, user, actor=user)
            db.session.rollback()
        finally:
            tx.rollback()
            conn.close()
            app.config["BOOKING_LOCK_TIMEOUT_MS"] = 3000
    assert committed(app, class_id) == []


def test_customers_queued_on_a_locked_class_all_hear_busy_within_the_timeout(app, rush):
    """Several bookings wait on the same held row: each gives up after about the lock timeout
    (with lock_timeout alone, the second in line waits twice as long: tuple lock, then row)."""
    studio_id, class_id, user_ids = rush
    app.config["BOOKING_LOCK_TIMEOUT_MS"] = 500
    waited, errors = [], []

    def book(uid):
        with app.app_context():
            started = time.monotonic()
            try:
                studio = db.session.get(Studio, studio_id)
                cls = db.session.get(ScheduledClass, class_id)
                user = db.session.get(User, uid)
                services.book_class(studio, cls, user, actor=user)
            except ClassBusy:
                waited.append(time.monotonic() - started)
            except Exception as exc:  # asserted below
                errors.append(exc)
            finally:
                db.session.rollback()

    with app.app_context():
        conn = db.engine.connect()
        tx = conn.begin()
        conn.execute(select(ScheduledClass.id).where(ScheduledClass.id == class_id)
                     .with_for_update())
        try:
            threads = [threading.Thread(target=book, args=(uid,)) for uid in user_ids[:4]]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=30)
        finally:
            tx.rollback()
            conn.close()
            app.config["BOOKING_LOCK_TIMEOUT_MS"] = 3000
    assert errors == [] and len(waited) == 4
    assert max(waited) < 0.5 + 0.4, waited
    assert committed(app, class_id) == []


def test_one_customer_tapping_book_at_once_from_eight_connections_gets_one_booking(app, rush):
    """A new customer's taps race past the view's check for an existing booking: each makes
    them a customer of the studio before queueing on the class lock. All succeed, with one
    booking and one customer link between them."""
    studio_id, class_id, user_ids = rush
    results, errors = run_at_once(app, lambda uid: _book(studio_id, class_id, uid)[0],
                                  [(user_ids[0],)] * 8)
    assert errors == []
    assert len(set(results)) == 1  # the same booking, eight times
    with app.app_context():
        links = db.session.scalars(select(StudioCustomer).where(
            StudioCustomer.studio_id == studio_id, StudioCustomer.user_id == user_ids[0])).all()
        assert len(links) == 1
        assert [s for _id, s in committed(app, class_id)] == [BookingStatus.CONFIRMED]


def test_negative_control_a_read_then_insert_link_fails_the_racing_taps(app, rush, monkeypatch):
    studio_id, class_id, user_ids = rush
    readers = threading.Barrier(8)

    def read_then_insert(studio, user):
        found = db.session.scalar(select(StudioCustomer).where(
            StudioCustomer.studio_id == studio.id, StudioCustomer.user_id == user.id))
        readers.wait(timeout=30)  # every tap has looked before any inserts
        if found is None:
            db.session.add(StudioCustomer(studio_id=studio.id, user_id=user.id))
            db.session.flush()

    monkeypatch.setattr(book, "ensure_customer", read_then_insert)
    _results, errors = run_at_once(app, lambda uid: _book(studio_id, class_id, uid)[0],
                                   [(user_ids[0],)] * 8)
    assert len(errors) == 7, errors  # unique (studio, user): all but one tap fail
