"""Changing a class's capacity while people book it: real connections, committed transactions.

Raising the capacity under the class lock fills the new spots from the waitlist in its order,
and nobody who books at the same moment jumps the queue. Lowering it is checked against the
spots taken under the same lock; the negative control reads the count without the lock while
bookings commit, and the class ends up holding more people than its capacity.
"""

import threading
import uuid

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.bookings import services, timetable
from app.bookings.errors import CapacityBelowBooked
from app.bookings.models import HOLDS_SPOT, Booking, BookingStatus
from app.extensions import db
from app.schedule.models import ScheduledClass
from app.studios.models import Studio
from tests.concurrency import run_at_once
from tests.factories import ClassFactory, StudioFactory, UserFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("concurrency")]


def _setup(app, *, capacity: int, booked: int, waiting: int, newcomers: int):
    with app.app_context():
        studio = StudioFactory(slug=f"resize-{uuid.uuid4().hex[:8]}")
        cls = ClassFactory(studio=studio, capacity=capacity)
        early = UserFactory.create_batch(booked + waiting)
        for user in early:
            services.book_class(studio, cls, user, actor=user)
        late = UserFactory.create_batch(newcomers)
        db.session.commit()
        return studio.id, cls.id, [u.id for u in early], [u.id for u in late]


@pytest.fixture
def dispose(app):
    yield
    with app.app_context():
        db.engine.dispose()


def _book(studio_id, class_id, uid):
    studio, cls = db.session.get(Studio, studio_id), db.session.get(ScheduledClass, class_id)
    user = db.session.get(User, uid)
    return services.book_class(studio, cls, user, actor=user).status


def _resize(studio_id, class_id, capacity):
    studio, cls = db.session.get(Studio, studio_id), db.session.get(ScheduledClass, class_id)
    return timetable.change_class(studio, cls, actor=None, starts_at=cls.starts_at,
                                  duration_minutes=60, coach_id=cls.coach_id, capacity=capacity)


def state(app, class_id):
    with app.app_context():
        capacity, taken = db.session.execute(
            select(ScheduledClass.capacity, ScheduledClass.spots_taken)
            .where(ScheduledClass.id == class_id)).one()
        rows = dict(db.session.execute(select(Booking.customer_id, Booking.status)
                                       .where(Booking.class_id == class_id)).all())
        return capacity, taken, rows


def test_raising_capacity_while_people_book_fills_from_the_waitlist_in_order(app, dispose):
    studio_id, class_id, early, late = _setup(app, capacity=5, booked=5, waiting=5, newcomers=15)

    results, errors = run_at_once(
        app, lambda kind, arg: (_book(studio_id, class_id, arg) if kind == "book"
                                else _resize(studio_id, class_id, arg)),
        [("book", uid) for uid in late[:8]] + [("resize", 10)]
        + [("book", uid) for uid in late[8:]])

    assert errors == []
    capacity, taken, rows = state(app, class_id)
    assert (capacity, taken) == (10, 10)
    assert all(rows[uid] in HOLDS_SPOT for uid in early)  # the waitlist first, in its order
    assert {rows[uid] for uid in late} == {BookingStatus.WAITLISTED}  # nobody jumped it


def test_lowering_capacity_while_people_book_never_leaves_it_overbooked(app, dispose):
    studio_id, class_id, _early, late = _setup(app, capacity=10, booked=5, waiting=0,
                                               newcomers=10)

    results, errors = run_at_once(
        app, lambda kind, arg: (_book(studio_id, class_id, arg) if kind == "book"
                                else _resize(studio_id, class_id, arg)),
        [("book", uid) for uid in late[:3]] + [("resize", 6)]
        + [("book", uid) for uid in late[3:]])

    assert all(isinstance(e, CapacityBelowBooked) for e in errors) and len(errors) <= 1
    capacity, taken, rows = state(app, class_id)
    held = sum(1 for s in rows.values() if s in HOLDS_SPOT)
    assert held == taken <= capacity
    assert capacity == (10 if errors else 6)


def test_negative_control_without_the_lock_lowering_overbooks(app, dispose, monkeypatch):
    studio_id, class_id, _early, late = _setup(app, capacity=10, booked=5, waiting=0,
                                               newcomers=5)
    counted, booked = threading.Event(), threading.Event()

    def no_lock(cls):
        """Read the count as lock_class does, without the lock; the bookings land meanwhile."""
        db.session.refresh(cls)
        taken = services.spots_taken(cls)
        counted.set()
        booked.wait(timeout=60)
        return taken

    monkeypatch.setattr(timetable, "lock_class", no_lock)
    lowered = []
    thread = threading.Thread(target=lambda: lowered.append(
        run_at_once(app, lambda: _resize(studio_id, class_id, 6), [()])))
    thread.start()
    assert counted.wait(timeout=60)
    _results, errors = run_at_once(app, lambda uid: _book(studio_id, class_id, uid),
                                   [(uid,) for uid in late])
    booked.set()
    thread.join(timeout=60)

    assert errors == [] and lowered[0][1] == []
    capacity, taken, _rows = state(app, class_id)
    assert (capacity, taken) == (6, 10), "without the lock the class should hold 10 in 6 spots"
