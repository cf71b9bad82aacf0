"""A merge of two accounts while one of them books a class, on real concurrent PostgreSQL
transactions. The merge holds both accounts' rows from its first statement to its commit; a
booking for the account being merged away waits for it and then lands on the account kept
(a trigger on bookings follows the merge's record, migration 0045). A booking that got in first
is moved by the merge, or the merge refuses cleanly when the kept account is booked there too.
Never a booking left on the removed account, never two active bookings of one person in one
class. The negative control takes the trigger's redirect away: the same interleaving leaves the
booking on the removed account."""

import threading
import uuid

import psycopg
import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.bookings import services
from app.bookings.errors import AccountMerged
from app.bookings.models import ACTIVE, Booking
from app.clients.errors import BothBookedInClass
from app.clients.services.merge import merge_customers
from app.extensions import db
from app.schedule.models import ScheduledClass
from app.studios.models import Role, Studio, StudioCustomer
from app.studios.services import ensure_customer
from tests.factories import ClassFactory, StudioFactory, UserFactory, staff

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("concurrency")]
PATIENCE = 30  # seconds a step may wait for the other transaction before the test fails


@pytest.fixture
def pair(app):
    """A committed studio, its admin, two accounts of one person and two classes."""
    with app.app_context():
        studio = StudioFactory(slug=f"merge-{uuid.uuid4().hex[:8]}")
        admin = staff(studio, Role.STUDIO_ADMIN)
        keep, drop = UserFactory(name="Sara Ali"), UserFactory(name="Sarah Ali")
        for user in (keep, drop):
            ensure_customer(studio, user)
        cls, other = (ClassFactory(studio=studio, capacity=5, hours_ahead=48) for _ in "ab")
        db.session.commit()
        ids = dict(studio=studio.id, admin=admin.id, keep=keep.id, drop=drop.id, cls=cls.id,
                   other=other.id)
    yield ids
    with app.app_context():
        db.engine.dispose()


def _admin_connection(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(url, autocommit=True)


def _wait_until_blocked(app, pid_box) -> None:
    """Return once the backend in `pid_box` waits for a lock (the other transaction's)."""
    with _admin_connection(app) as conn:
        for _ in range(PATIENCE * 100):
            if pid_box and conn.execute(
                    "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = %s",
                    (pid_box[0],)).fetchone()[0]:
                return
            threading.Event().wait(0.01)
    raise AssertionError("the second transaction never waited for the first")


def _merge(ids):
    studio = db.session.get(Studio, ids["studio"])
    return merge_customers(studio, db.session.get(User, ids["keep"]),
                           db.session.get(User, ids["drop"]),
                           actor=db.session.get(User, ids["admin"]))


def _book(ids, who, class_key="cls"):
    studio = db.session.get(Studio, ids["studio"])
    person = db.session.get(User, ids[who])
    # The customer's own tap: they are linked already (the hot path makes no link).
    return services.make_booking(studio, db.session.get(ScheduledClass, ids[class_key]), person,
                                 actor=person, linked=True).booking.id


def interleave(app, first, second):
    """Run `first` up to (not including) its commit; start `second`, which must wait for a lock
    `first` holds; commit `first`, then let `second` finish and commit. Returns each outcome
    (its result, or the exception it raised)."""
    outcomes, pid, held = {}, [], threading.Event()

    def run(name, fn, *, hold: bool):
        with app.app_context():
            try:
                if not hold:
                    pid.append(db.session.connection().exec_driver_sql(
                        "SELECT pg_backend_pid()").scalar())
                result = fn()
                if hold:
                    held.set()
                    _wait_until_blocked(app, pid)
                db.session.commit()
                outcomes[name] = result
            except Exception as exc:  # the test asserts it
                db.session.rollback()
                outcomes[name] = exc
            finally:
                held.set()

    one = threading.Thread(target=run, args=("first", first), kwargs={"hold": True})
    one.start()
    assert held.wait(PATIENCE)
    two = threading.Thread(target=run, args=("second", second), kwargs={"hold": False})
    two.start()
    for thread in (one, two):
        thread.join(PATIENCE * 2)
    assert not one.is_alive() and not two.is_alive(), "a transaction hung"
    return outcomes["first"], outcomes["second"]


def active(app, ids, class_key="cls"):
    """Who holds an active booking in the class, and whether the removed account is still a
    customer of the studio."""
    with app.app_context():
        holders = sorted(db.session.scalars(select(Booking.customer_id).where(
            Booking.class_id == ids[class_key], Booking.status.in_(ACTIVE))))
        linked = db.session.scalar(select(StudioCustomer.id).where(
            StudioCustomer.studio_id == ids["studio"], StudioCustomer.user_id == ids["drop"]))
    return holders, linked is not None


def test_a_booking_made_while_the_merge_runs_lands_on_the_kept_account(app, pair):
    merged, booked = interleave(app, lambda: _merge(pair), lambda: _book(pair, "drop"))
    assert isinstance(merged, dict) and isinstance(booked, int), (merged, booked)
    assert active(app, pair) == ([pair["keep"]], False)


def test_the_kept_account_already_booked_there_gets_no_second_booking(app, pair):
    with app.app_context():
        _book(pair, "keep")
        db.session.commit()
    merged, booked = interleave(app, lambda: _merge(pair), lambda: _book(pair, "drop"))
    assert isinstance(merged, dict) and isinstance(booked, AccountMerged), (merged, booked)
    assert active(app, pair) == ([pair["keep"]], False)  # one booking, the kept account's


def test_a_booking_that_got_in_first_is_moved_by_the_merge(app, pair):
    booked, merged = interleave(app, lambda: _book(pair, "drop"), lambda: _merge(pair))
    assert isinstance(booked, int) and isinstance(merged, dict), (booked, merged)
    assert merged["bookings"] == 1
    assert active(app, pair) == ([pair["keep"]], False)


def test_both_booked_in_one_class_while_merging_the_merge_refuses_whole(app, pair):
    with app.app_context():
        _book(pair, "keep")
        db.session.commit()
    booked, merged = interleave(app, lambda: _book(pair, "drop"), lambda: _merge(pair))
    assert isinstance(booked, int) and isinstance(merged, BothBookedInClass), (booked, merged)
    # refused whole: both accounts as they were, each with its own booking
    assert active(app, pair) == (sorted([pair["keep"], pair["drop"]]), True)


@pytest.fixture
def without_follow(app):
    """The trigger that sends a merged account's bookings to the account kept, switched off
    for one test (and on again after it, whatever happens)."""
    with _admin_connection(app) as conn:
        conn.execute("ALTER TABLE bookings DISABLE TRIGGER bookings_follow_merge")
    yield
    with _admin_connection(app) as conn:
        conn.execute("ALTER TABLE bookings ENABLE TRIGGER bookings_follow_merge")


def test_negative_control_without_the_trigger_the_booking_stays_on_the_removed_account(
        app, pair, without_follow):
    merged, booked = interleave(app, lambda: _merge(pair), lambda: _book(pair, "drop"))
    assert isinstance(merged, dict) and isinstance(booked, int)
    # the booking waited for the merge, then went in for an account no longer the studio's
    assert active(app, pair) == ([pair["drop"]], False)
