"""A class's spots taken are kept on its row by a trigger on bookings (migration 0013): they
must equal the bookings holding a spot after every change, by the app's services or by SQL."""

from datetime import timedelta

from sqlalchemy import func, select, text

from app.bookings import attendance, services
from app.bookings.models import HOLDS_SPOT, Booking, BookingStatus
from app.bookings.services import cancel_class
from app.core.db import utcnow
from app.extensions import db
from app.schedule.models import ScheduledClass
from app.studios.models import WaitlistMode
from tests.factories import ClassFactory, StudioFactory, UserFactory


def taken(cls) -> tuple[int, int]:
    """(the row's count, the bookings holding a spot) for `cls`."""
    db.session.flush()
    kept = db.session.scalar(select(ScheduledClass.spots_taken)
                             .where(ScheduledClass.id == cls.id))
    counted = db.session.scalar(select(func.count()).where(
        Booking.class_id == cls.id, Booking.status.in_(HOLDS_SPOT)))
    return kept, counted


def test_every_status_counts_as_holds_spot_says_whatever_writes_it(app, ctx):
    cls, other = ClassFactory(capacity=50), ClassFactory(capacity=50)
    ids = [db.session.execute(text(
        "INSERT INTO bookings (studio_id, class_id, customer_id, status, booked_by_id, note,"
        " created_at) VALUES (:s, :c, :u, :st, :u, '', now()) RETURNING id"),
        {"s": cls.studio_id, "c": cls.id, "u": UserFactory().id, "st": status.value}).scalar()
        for status in BookingStatus]
    assert taken(cls) == (len(HOLDS_SPOT), len(HOLDS_SPOT))
    for status in BookingStatus:  # every booking through every status
        db.session.execute(text("UPDATE bookings SET status = :st WHERE id = ANY(:ids)"),
                           {"st": status.value, "ids": ids})
        expected = len(ids) if status in HOLDS_SPOT else 0
        assert taken(cls) == (expected, expected), status
    db.session.execute(text("UPDATE bookings SET class_id = :o WHERE id = :id"),
                       {"o": other.id, "id": ids[0]})  # moved to another class
    assert taken(cls) == (len(ids) - 1, len(ids) - 1) and taken(other) == (1, 1)
    db.session.execute(text("DELETE FROM bookings WHERE id = ANY(:ids)"), {"ids": ids})
    assert taken(cls) == (0, 0) and taken(other) == (0, 0)


def test_the_count_follows_bookings_through_every_service(app, ctx):
    studio = StudioFactory(waitlist_mode=WaitlistMode.CLAIM)
    cls = ClassFactory(studio=studio, capacity=3, hours_ahead=5)
    staff = UserFactory()
    people = UserFactory.create_batch(5)
    made = [services.book_class(studio, cls, p, actor=p) for p in people]
    assert taken(cls) == (3, 3)  # three confirmed, two waiting
    services.cancel_booking(studio, made[0], actor=people[0])  # the first waiter is offered
    assert made[3].status == BookingStatus.OFFERED and taken(cls) == (3, 3)
    services.expire_offer(studio, made[3], now=made[3].offer_expires_at + timedelta(seconds=1))
    assert made[4].status == BookingStatus.OFFERED and taken(cls) == (3, 3)  # passed on
    services.claim_offer(studio, made[4], actor=people[4])
    services.cancel_booking(studio, made[2], actor=people[2])  # nobody waits: a spot is free
    assert taken(cls) == (2, 2)
    attendance.check_in(studio, made[1], actor=staff, now=cls.starts_at)
    attendance.mark_no_show(studio, made[4], actor=staff, now=cls.starts_at + timedelta(hours=2))
    walk_in = attendance.add_walk_in(studio, cls, UserFactory(), actor=staff, now=cls.starts_at)
    assert walk_in.status == BookingStatus.ATTENDED and taken(cls) == (3, 3)
    attendance.undo_check_in(studio, made[1], actor=staff)
    assert taken(cls) == (3, 3)
    cancel_class(studio, cls, actor=staff, now=utcnow())
    kept, counted = taken(cls)
    assert kept == counted
