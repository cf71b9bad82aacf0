"""The rules that count a customer's bookings hold under real concurrency (separate PostgreSQL
connections, committed transactions): one customer booking six classes at once under a cap of
three gets exactly three; cancelling four bookings late at once with two forgiven in 30 days
has exactly two forgiven. Both count under the customer's link lock (rules.lock_customer)."""

import uuid

import pytest

from app.accounts.models import User
from app.bookings import services
from app.bookings.errors import BookingCapReached
from app.bookings.models import Booking
from app.extensions import db
from app.schedule.models import ScheduledClass
from app.studios.models import Studio
from tests.concurrency import run_at_once
from tests.factories import ClassFactory, ClassTypeFactory, StudioFactory, UserFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("concurrency")]


@pytest.fixture
def world(app):
    """A committed studio (no pass needed: no pass lock to serialise the customer's bookings,
    only their link's), six classes an hour ahead (late to cancel) of a class type forgiving
    two late cancels, one customer."""
    with app.app_context():
        studio = StudioFactory(slug=f"pol-{uuid.uuid4().hex[:8]}", late_cancel_fee_minor=1000,
                               max_upcoming_bookings=3)
        ct = ClassTypeFactory(studio=studio, free_late_cancels=2)
        classes = [ClassFactory(studio=studio, class_type_id=ct.id, hours_ahead=1)
                   for _ in range(6)]
        user = UserFactory()
        db.session.commit()
        ids = studio.id, [c.id for c in classes], user.id
    yield ids
    with app.app_context():
        db.engine.dispose()


def _book(studio_id, class_id, user_id):
    studio = db.session.get(Studio, studio_id)
    user = db.session.get(User, user_id)
    return services.book_class(studio, db.session.get(ScheduledClass, class_id), user,
                               actor=user).id


def _cancel(studio_id, booking_id):
    studio = db.session.get(Studio, studio_id)
    booking = db.session.get(Booking, booking_id)
    return services.cancel_booking(studio, booking, actor=booking.customer).released.waiver


def test_one_customer_booking_six_classes_at_once_under_a_cap_of_three_gets_three(app, world):
    studio_id, class_ids, user_id = world
    made, errors = run_at_once(app, lambda cid: _book(studio_id, cid, user_id),
                               [(cid,) for cid in class_ids])
    assert len(made) == 3
    assert len(errors) == 3 and all(isinstance(e, BookingCapReached) for e in errors)


def test_four_late_cancels_at_once_with_two_forgiven_forgive_exactly_two(app, world):
    studio_id, class_ids, user_id = world
    with app.app_context():
        db.session.get(Studio, studio_id).max_upcoming_bookings = None
        booked = [_book(studio_id, cid, user_id) for cid in class_ids[:4]]
        db.session.commit()
    waivers, errors = run_at_once(app, lambda bid: _cancel(studio_id, bid),
                                  [(bid,) for bid in booked])
    assert errors == []
    assert sorted(waivers, key=str) == [None, None, "forgiven", "forgiven"]
