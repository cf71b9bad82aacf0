"""Moves at the desk on real connections: eight customers swapping between two classes at once
all land, each paid once; the negative control takes the two class locks in the order of the
move (not by id) and two opposite moves wait for each other."""

import threading
import uuid

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.bookings.errors import ClassBusy
from app.bookings.models import Booking, BookingStatus
from app.bookings.services import book_class, desk
from app.bookings.services import locks as lock_module
from app.extensions import db
from app.memberships.models import CreditEntry
from app.memberships.services import grant_pass
from app.schedule.models import ScheduledClass
from app.studios.models import Role, Studio
from tests.concurrency import run_at_once
from tests.factories import ClassFactory, PlanFactory, StudioFactory, UserFactory, staff

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("concurrency")]


@pytest.fixture
def swap(app):
    """Two committed classes of 10, four customers booked in each (a pass apiece)."""
    with app.app_context():
        studio = StudioFactory(slug=f"moves-{uuid.uuid4().hex[:8]}", booking_requires_pass=True)
        admin = staff(studio, Role.STUDIO_ADMIN)
        first, second = (ClassFactory(studio=studio, capacity=10, hours_ahead=h)
                         for h in (48, 72))
        plan = PlanFactory(studio=studio, credits=10)
        bookings = {}
        for cls in (first, second):
            for person in UserFactory.create_batch(4):
                grant_pass(studio, plan, person)
                bookings[book_class(studio, cls, person, actor=person).id] = cls.id
        db.session.commit()
        ids = studio.id, admin.id, first.id, second.id, bookings
    yield ids
    with app.app_context():
        db.engine.dispose()


def _move(studio_id, admin_id, booking_id, to_id):
    booking = db.session.get(Booking, booking_id)
    moved = desk.move(db.session.get(Studio, studio_id), booking,
                      db.session.get(ScheduledClass, to_id), actor=db.session.get(User, admin_id))
    return moved.id


def test_eight_opposite_moves_at_once_all_land_each_paid_once(app, swap):
    studio_id, admin_id, first, second, bookings = swap
    other = {first: second, second: first}
    results, errors = run_at_once(app, lambda bid: _move(studio_id, admin_id, bid,
                                                         other[bookings[bid]]),
                                  [(bid,) for bid in bookings])
    assert errors == [] and len(results) == 8
    with app.app_context():
        for cls in (first, second):
            confirmed = db.session.scalars(select(Booking.id).where(
                Booking.class_id == cls, Booking.status == BookingStatus.CONFIRMED)).all()
            assert sorted(confirmed) == sorted(r for r in results
                                               if db.session.get(Booking, r).class_id == cls)
            assert db.session.scalar(select(ScheduledClass.spots_taken)
                                     .where(ScheduledClass.id == cls)) == 4
        moved = db.session.scalars(select(Booking.customer_id).where(Booking.id.in_(results)))
        for customer_id in moved:
            spent = db.session.scalars(select(CreditEntry.delta).join(
                Booking, Booking.id == CreditEntry.booking_id)
                .where(Booking.customer_id == customer_id)).all()
            assert sum(spent) == -1  # the old booking's credit back, the new one's taken


def test_negative_control_locking_in_move_order_deadlocks_two_opposite_moves(app, swap,
                                                                              monkeypatch):
    studio_id, admin_id, first, second, bookings = swap
    a_to_b = next(b for b, c in bookings.items() if c == first)
    b_to_a = next(b for b, c in bookings.items() if c == second)
    both_hold_one = threading.Barrier(2)
    real_lock = lock_module.lock_class
    taken = threading.local()

    def lock_then_wait(cls):
        result = real_lock(cls)
        if not getattr(taken, "one", False):
            taken.one = True
            both_hold_one.wait(timeout=30)  # each holds its own class, then wants the other's
        return result

    monkeypatch.setattr(desk, "in_lock_order", lambda old, to: [old, to])
    monkeypatch.setattr(desk, "lock_class", lock_then_wait)
    results, errors = run_at_once(app, lambda bid, to: _move(studio_id, admin_id, bid, to),
                                  [(a_to_b, second), (b_to_a, first)])
    assert errors, "two opposite moves locking in move order should wait for each other"
    assert len(results) + len(errors) == 2
    # PostgreSQL breaks the cycle (a deadlock) or the class lock's timeout does (busy).
    assert all(isinstance(e, ClassBusy) or "deadlock" in str(e) for e in errors), errors
