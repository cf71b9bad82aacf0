"""Booking and cancelling 1:1 sessions; the exclusion constraint on its own."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from app.appointments import services
from app.appointments.errors import AppointmentNotCancellable, SlotTaken, SlotUnavailable
from app.appointments.models import Appointment, AppointmentStatus
from app.extensions import db
from app.studios.models import StudioCustomer
from tests.appointments.helpers import coach_with_hours, session_type
from tests.factories import StudioFactory, UserFactory

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
SEVEN = datetime(2026, 11, 25, 12, tzinfo=UTC)  # Wednesday 07:00 in Toronto


@pytest.fixture
def world():
    studio = StudioFactory(booking_opens_days=14, cancel_cutoff_minutes=12 * 60)
    coach = coach_with_hours(studio, starts=time(7), ends=time(10))
    return studio, coach, session_type(studio, buffer=15), UserFactory(), UserFactory()


def book(world, customer, at, **kw):
    studio, coach, st, *_ = world
    return services.book_appointment(studio, coach, customer, st, at, actor=customer, now=NOW, **kw)


def test_booking_a_free_slot(world):
    studio, coach, st, alice, _ = world
    appt = book(world, alice, SEVEN)
    assert (appt.status, appt.starts_at, appt.ends_at) == (AppointmentStatus.BOOKED, SEVEN,
                                                           SEVEN + timedelta(hours=1))
    assert db.session.query(StudioCustomer).filter_by(studio_id=studio.id,
                                                      user_id=alice.id).count() == 1
    assert book(world, alice, SEVEN).id == appt.id  # a double tap is the same booking


def test_a_taken_or_too_close_slot_is_slot_taken(world):
    alice, bob = world[3], world[4]
    book(world, alice, SEVEN)
    with pytest.raises(SlotTaken) as taken:
        book(world, bob, SEVEN)
    assert taken.value.status == 409
    with pytest.raises(SlotTaken):  # 08:00 is inside the 15-minute buffer after 07:00–08:00
        book(world, bob, SEVEN + timedelta(hours=1))
    assert book(world, bob, SEVEN + timedelta(hours=1, minutes=15)).status == "booked"


@pytest.mark.parametrize("at", [
    SEVEN - timedelta(hours=1),                   # before the coach's hours
    SEVEN + timedelta(minutes=5),                 # not on the 15-minute grid
    SEVEN + timedelta(hours=2, minutes=30),       # would end after 10:00
    NOW - timedelta(days=1),                      # in the past
    SEVEN + timedelta(days=30),                   # beyond the booking window
])
def test_times_not_offered_are_slot_unavailable(world, at):
    with pytest.raises(SlotUnavailable) as exc:
        book(world, world[3], at)
    assert exc.value.status == 422


def test_another_studios_or_inactive_session_type_is_unavailable(world):
    studio, coach, _st, alice, _ = world
    foreign = session_type(StudioFactory())
    with pytest.raises(SlotUnavailable):
        services.book_appointment(studio, coach, alice, foreign, SEVEN, actor=alice, now=NOW)
    hidden = session_type(studio, active=False)
    with pytest.raises(SlotUnavailable):
        services.book_appointment(studio, coach, alice, hidden, SEVEN, actor=alice, now=NOW)


def test_cancelling_before_the_cutoff_frees_the_slot(world):
    studio, alice, bob = world[0], world[3], world[4]
    appt = book(world, alice, SEVEN)
    consequence = services.cancel_consequence(studio, appt, NOW)
    assert not consequence.late and "free of charge" in consequence.message
    services.cancel_appointment(studio, appt, actor=alice, now=NOW)
    assert appt.status == AppointmentStatus.CANCELLED and appt.cancelled_at == NOW
    assert book(world, bob, SEVEN).customer_id == bob.id
    with pytest.raises(AppointmentNotCancellable):
        services.cancel_appointment(studio, appt, actor=alice, now=NOW)


def test_cancelling_after_the_cutoff_is_a_late_cancel_and_told_first(world):
    studio, alice = world[0], world[3]
    appt = book(world, alice, SEVEN)
    late_now = SEVEN - timedelta(hours=2)
    consequence = services.cancel_consequence(studio, appt, late_now)
    assert consequence.late and "late cancellation" in consequence.message
    services.cancel_appointment(studio, appt, actor=alice, now=late_now)
    assert appt.status == AppointmentStatus.LATE_CANCELLED
    with pytest.raises(AppointmentNotCancellable):  # and a started session cannot be cancelled
        services.cancel_appointment(studio,
                                    book(world, alice, SEVEN + timedelta(hours=1, minutes=15)),
                                    actor=alice, now=SEVEN + timedelta(hours=1, minutes=20))


def test_the_exclusion_constraint_alone_refuses_overlapping_sessions(world):
    """No service, no lock: two overlapping active rows for one coach cannot both exist."""
    studio, coach, st, alice, bob = world

    def row(customer, start, status=AppointmentStatus.BOOKED):
        return Appointment(studio_id=studio.id, coach_id=coach.id, customer_id=customer.id,
                           session_type_id=st.id, location_id=studio.default_location_id,
                           starts_at=start, ends_at=start + timedelta(hours=1), status=status)

    db.session.add(row(alice, SEVEN))
    db.session.flush()
    with pytest.raises(IntegrityError) as exc, db.session.begin_nested():
        db.session.add(row(bob, SEVEN + timedelta(minutes=30)))
    assert "ex_appointments_coach_overlap" in str(exc.value)
    # Cancelled rows and back-to-back sessions are fine.
    with db.session.begin_nested():
        db.session.add(row(bob, SEVEN + timedelta(minutes=30), AppointmentStatus.CANCELLED))
        db.session.add(row(bob, SEVEN + timedelta(hours=1)))
