"""The last credit of a pass, spent by two paths at once on real PostgreSQL connections.

A customer with one credit books class B while claiming an offered spot in class A. The
booking holds her pass locked (and has spent the credit) when the claim asks for the same
lock; when the booking commits, the claim must see the credit gone. A statement that waited
for a lock reads the ledger as it was when the statement began, so the passes are locked by
one statement and their credits read by the next (`memberships.services.held_passes`). The
negative control reads the credits in the locking statement, as one statement would: the
claim then spends the credit a second time and the pass goes below zero.
"""

import threading
import uuid

import pytest
from sqlalchemy import func, select, text

from app.accounts.models import User
from app.bookings import services
from app.bookings.errors import NoEntitlement
from app.bookings.models import Booking, BookingStatus
from app.extensions import db
from app.memberships import services as passes
from app.memberships.models import CreditEntry
from app.schedule.models import ScheduledClass
from app.studios.models import Studio, WaitlistMode
from tests.factories import ClassFactory, PlanFactory, StudioFactory, UserFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("concurrency")]


@pytest.fixture
def offer(app):
    """Committed: a claim-mode studio that requires a pass; Sara holds one credit and an offer
    of the spot Omar freed in class A; class B has room."""
    with app.app_context():
        studio = StudioFactory(slug=f"last-{uuid.uuid4().hex[:6]}", booking_requires_pass=True,
                               waitlist_mode=WaitlistMode.CLAIM)
        sara, omar = UserFactory(), UserFactory()
        one = passes.grant_pass(studio, PlanFactory(studio=studio, credits=1), sara)
        passes.grant_pass(studio, PlanFactory(studio=studio, credits=5), omar)
        class_a = ClassFactory(studio=studio, capacity=1, hours_ahead=48)
        class_b = ClassFactory(studio=studio, capacity=5, hours_ahead=48)
        held = services.book_class(studio, class_a, omar, actor=omar)
        waiting = services.book_class(studio, class_a, sara, actor=sara)
        services.cancel_booking(studio, held, actor=omar)
        db.session.commit()
        assert db.session.get(Booking, waiting.id).status == BookingStatus.OFFERED
        ids = {"studio": studio.id, "sara": sara.id, "pass": one.id, "offer": waiting.id,
               "class_b": class_b.id}
    yield ids
    with app.app_context():
        db.engine.dispose()


def _book_and_hold(app, ids, booked: threading.Event, release: threading.Event, errors):
    with app.app_context():
        try:
            studio = db.session.get(Studio, ids["studio"])
            sara = db.session.get(User, ids["sara"])
            cls = db.session.get(ScheduledClass, ids["class_b"])
            services.book_class(studio, cls, sara, actor=sara)
            booked.set()
            assert release.wait(timeout=30)
            db.session.commit()
        except Exception as exc:  # asserted by the test
            db.session.rollback()
            errors.append(exc)
            booked.set()


def _claim(app, ids, errors):
    with app.app_context():
        try:
            booking = db.session.get(Booking, ids["offer"])
            studio = db.session.get(Studio, ids["studio"])
            services.claim_offer(studio, booking, actor=booking.customer)
            db.session.commit()
        except Exception as exc:  # asserted by the test
            db.session.rollback()
            errors.append(exc)


def _wait_until_blocked(app) -> None:
    """Until a transaction of this database waits for a row lock (a bounded poll of the
    server's own view, not a sleep that hopes)."""
    waiting = text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                   " AND wait_event_type = 'Lock'")
    with app.app_context(), db.engine.connect() as conn:
        for _ in range(2000):
            if conn.execute(waiting).scalar():
                return
            threading.Event().wait(0.005)
    raise AssertionError("the claim never waited for the pass")


def _race(app, ids):
    booked, release, booking_errors, claim_errors = (threading.Event(), threading.Event(),
                                                     [], [])
    first = threading.Thread(target=_book_and_hold,
                             args=(app, ids, booked, release, booking_errors))
    first.start()
    assert booked.wait(timeout=30) and not booking_errors
    second = threading.Thread(target=_claim, args=(app, ids, claim_errors))
    second.start()
    _wait_until_blocked(app)
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert not first.is_alive() and not second.is_alive()
    with app.app_context():
        balance = db.session.scalar(select(func.sum(CreditEntry.delta))
                                    .where(CreditEntry.pass_id == ids["pass"]))
        offer = db.session.get(Booking, ids["offer"]).status
    return booking_errors, claim_errors, balance, offer


def test_the_last_credit_is_spent_once_when_a_claim_waits_for_a_booking(app, offer):
    booking_errors, claim_errors, balance, offer_status = _race(app, offer)
    assert booking_errors == []
    assert [type(e) for e in claim_errors] == [NoEntitlement]
    assert balance == 0 and offer_status == BookingStatus.OFFERED


def test_negative_control_credits_read_in_the_locking_statement_are_spent_twice(
        app, offer, monkeypatch):
    def in_one_statement(studio, customer, *, lock, nowait=False):
        query = passes._passes(False)
        if lock:
            query = query.with_for_update(of=passes._PASSES, nowait=nowait)
        rows = db.session.connection().execute(
            query, {"studio_id": studio.id, "customer_id": customer.id})
        return [passes.PayingPass(*row) for row in rows]

    monkeypatch.setattr(passes, "held_passes", in_one_statement)
    booking_errors, claim_errors, balance, offer_status = _race(app, offer)
    assert booking_errors == [] and claim_errors == []
    assert balance == -1 and offer_status == BookingStatus.CONFIRMED
