"""The last credit under real concurrency: one customer with one credit left books two 1:1
sessions with two coaches at once, on two PostgreSQL connections.

The coaches' locks do not meet (two coaches), so the customer's passes are the only thing in
common: booking locks them (FOR UPDATE, before the coach) and reads the balance under the lock,
so the second booking waits, finds no credit and is refused whole. The negative control reads
the passes without the lock and lets both read before either writes: both spend the one
credit and the balance goes below zero — the lock is what stops it.
"""

import threading
import uuid
from datetime import UTC, datetime, time

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.appointments import services
from app.appointments.entitlements import PayBy
from app.appointments.errors import NoWayToPay
from app.appointments.models import Appointment, SessionType
from app.billing.services import sessions as paid_sessions
from app.extensions import db
from app.memberships.services import balances, grant_pass
from app.studios.models import Studio
from tests.appointments.helpers import coach_with_hours, session_type
from tests.concurrency import run_at_once
from tests.factories import PlanFactory, StudioFactory, UserFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("concurrency")]
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
SEVEN = datetime(2026, 11, 25, 12, tzinfo=UTC)  # Wednesday 07:00 in Toronto


@pytest.fixture
def last_credit(app):
    """A committed studio, two coaches, a session type paid by a pack, and a customer whose
    pass of that pack has one credit left."""
    with app.app_context():
        studio = StudioFactory(slug=f"pt-{uuid.uuid4().hex[:8]}")
        coaches = [coach_with_hours(studio, starts=time(7), ends=time(10)) for _ in range(2)]
        pack = PlanFactory(studio=studio, credits=1)
        st = session_type(studio, price=0)
        st.plan_ids = [pack.id]
        customer = UserFactory()
        pass_ = grant_pass(studio, pack, customer, now=NOW)
        db.session.commit()
        ids = studio.id, [c.id for c in coaches], st.id, customer.id, pass_.id
    yield ids
    with app.app_context():
        db.engine.dispose()


def race(app, studio_id, coach_ids, type_id, customer_id):
    def book(coach_id):
        customer = db.session.get(User, customer_id)
        return services.book_appointment(
            db.session.get(Studio, studio_id), db.session.get(User, coach_id), customer,
            db.session.get(SessionType, type_id), SEVEN, actor=customer, now=NOW,
            pay_by=PayBy.CREDIT).id

    return run_at_once(app, book, [(c,) for c in coach_ids])


def state(app, customer_id, pass_id):
    with app.app_context():
        booked = db.session.scalars(select(Appointment.id).where(
            Appointment.customer_id == customer_id)).all()
        return len(booked), balances([pass_id])[pass_id]


def test_two_bookings_of_the_last_credit_one_wins(app, last_credit):
    studio_id, coach_ids, type_id, customer_id, pass_id = last_credit
    results, errors = race(app, studio_id, coach_ids, type_id, customer_id)
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], NoWayToPay), errors
    assert state(app, customer_id, pass_id) == (1, 0)


def test_negative_control_without_the_pass_lock_the_credit_is_spent_twice(
        app, last_credit, monkeypatch):
    studio_id, coach_ids, type_id, customer_id, pass_id = last_credit
    both_read = threading.Barrier(2)
    real_pick = paid_sessions.pick_session_pass

    def pick_unlocked(*args, **kwargs):
        found = real_pick(*args, **{**kwargs, "lock": False})
        both_read.wait(timeout=30)  # both have seen the credit before either spends it
        return found

    monkeypatch.setattr(paid_sessions, "pick_session_pass", pick_unlocked)
    results, errors = race(app, studio_id, coach_ids, type_id, customer_id)
    assert len(results) == 2 and errors == []
    assert state(app, customer_id, pass_id) == (2, -1)  # one credit paid for two sessions
