"""One slot under real concurrency: 20 customers on 20 PostgreSQL connections book the same
07:00 session with one coach at once.

Two guards stand behind a slot. The per-coach advisory lock serialises bookings, so the "is it
free?" check and the insert happen as one step: exactly one customer wins and every other one
gets a clean SlotTaken (409). The exclusion constraint (no two active appointments of a coach
may overlap) is the database's last line.

The negative control switches the lock off and forces the worst interleaving (everyone has read
"free" before anyone inserts). The constraint still lets only one appointment through — that
it can do so on its own is shown directly in test_services — but the losers now fail with an
IntegrityError from the database, a 500 for the customer, instead of SlotTaken. So the lock is
what turns the race into a clean answer, and the constraint is what makes a double booking
impossible even if a code path forgets the lock.
"""

import threading
import uuid
from datetime import UTC, datetime, time

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.appointments import services
from app.appointments.errors import CoachBusy, SlotTaken
from app.appointments.models import Appointment, SessionType
from app.extensions import db
from app.studios.models import Studio
from tests.appointments.helpers import coach_with_hours, session_type
from tests.concurrency import run_at_once
from tests.factories import StudioFactory, UserFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("concurrency")]
N = 20
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
SEVEN = datetime(2026, 11, 25, 12, tzinfo=UTC)  # Wednesday 07:00 in Toronto


@pytest.fixture
def rush(app):
    """A committed studio, a coach with hours, a session type and N customers."""
    with app.app_context():
        studio = StudioFactory(slug=f"slot-{uuid.uuid4().hex[:8]}")
        coach = coach_with_hours(studio, starts=time(7), ends=time(10))
        st = session_type(studio)
        users = UserFactory.create_batch(N)
        db.session.commit()
        ids = studio.id, coach.id, st.id, [u.id for u in users]
    yield ids
    with app.app_context():
        db.engine.dispose()


def rush_slot(app, studio_id, coach_id, type_id, user_ids):
    def book(uid):
        user = db.session.get(User, uid)
        appt = services.book_appointment(
            db.session.get(Studio, studio_id), db.session.get(User, coach_id), user,
            db.session.get(SessionType, type_id), SEVEN, actor=user, now=NOW)
        return appt.id

    return run_at_once(app, book, [(uid,) for uid in user_ids])


def committed(app, coach_id):
    with app.app_context():
        return db.session.scalars(select(Appointment.customer_id)
                                  .where(Appointment.coach_id == coach_id)).all()


def test_twenty_concurrent_bookings_of_one_slot_one_wins(app, rush):
    studio_id, coach_id, type_id, user_ids = rush
    results, errors = rush_slot(app, studio_id, coach_id, type_id, user_ids)
    assert len(results) == 1
    assert len(errors) == N - 1 and all(isinstance(e, SlotTaken) for e in errors), errors
    assert len(committed(app, coach_id)) == 1


def test_negative_control_without_the_lock_losers_hit_the_constraint(app, rush, monkeypatch):
    studio_id, coach_id, type_id, user_ids = rush
    readers = threading.Barrier(N)
    real_find = services.find_slot

    def find_then_wait(*args):
        slot = real_find(*args)
        readers.wait(timeout=30)  # everyone has seen the slot free before anyone inserts
        return slot

    monkeypatch.setattr(services, "lock_coach", lambda coach: None)
    monkeypatch.setattr(services, "find_slot", find_then_wait)
    results, errors = rush_slot(app, studio_id, coach_id, type_id, user_ids)
    # Every customer passed the "is it free?" check: without the lock that check proves nothing.
    assert len(results) == 1 and len(errors) == N - 1
    assert not any(isinstance(e, SlotTaken) for e in errors)
    # PostgreSQL refuses each loser at the exclusion constraint, or, when two losers' index
    # checks wait on each other, one of them as a deadlock: both are the database refusing.
    assert all(getattr(e, "orig", None) is not None and e.orig.sqlstate in {"23P01", "40P01"}
               for e in errors), errors
    assert any(isinstance(e, IntegrityError) for e in errors), errors
    assert len(committed(app, coach_id)) == 1  # the constraint still held the line


def test_a_locked_coach_answers_busy_instead_of_hanging(app, rush):
    studio_id, coach_id, type_id, user_ids = rush
    app.config["BOOKING_LOCK_TIMEOUT_MS"] = 300
    with app.app_context():
        conn = db.engine.connect()
        tx = conn.begin()
        conn.execute(text("SELECT pg_advisory_xact_lock(:ns, :coach)"),
                     {"ns": services.COACH_LOCK_NAMESPACE, "coach": coach_id})
        try:
            user = db.session.get(User, user_ids[0])
            with pytest.raises(CoachBusy):
                services.book_appointment(
                    db.session.get(Studio, studio_id), db.session.get(User, coach_id), user,
                    db.session.get(SessionType, type_id), SEVEN, actor=user, now=NOW)
            db.session.rollback()
        finally:
            tx.rollback()
            conn.close()
            app.config["BOOKING_LOCK_TIMEOUT_MS"] = 3000
    assert committed(app, coach_id) == []
