"""The lock order (app/bookings/services/locks.py) under real concurrency: book, cancel, claim,
expire and the staff paths (cancel a class, waive a late cancel, revoke a refunded pass) run
against each other on separate PostgreSQL connections, in studios that require a pass. No
transaction deadlocks, and every count adds up: spots, the ledger, each booking's credit.

The negative control reverses the order on one path (a booking that locks the class before the
customer's passes, as booking did before) and forces the interleaving that order allows: the
customer re-books a class while their cancel of it is under way. PostgreSQL finds a deadlock;
with the order kept, the same interleaving simply queues.
"""

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app.accounts.models import User
from app.bookings import entitlements, services
from app.bookings.models import HOLDS_SPOT, Booking, BookingStatus
from app.bookings.services import book as book_module
from app.core.db import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.memberships import services as passes
from app.memberships.models import CreditEntry, CreditReason, Pass, PassStatus
from app.schedule.models import ScheduledClass
from app.studios.models import Studio, WaitlistMode
from tests.factories import ClassFactory, PlanFactory, StudioFactory, UserFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("concurrency")]
CUSTOMERS = 8
CREDITS = 40


def _run_together(app, calls):
    """Start every call at once, each in its own thread, app context, connection and
    transaction; commit each. Returns the exceptions raised (a DomainError is an answer)."""
    start = threading.Barrier(len(calls))
    errors = []

    def one(call):
        with app.app_context():
            try:
                start.wait(timeout=30)
                call()
                db.session.commit()
            except Exception as exc:  # asserted by the test
                db.session.rollback()
                errors.append(exc)

    threads = [threading.Thread(target=one, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a transaction hung"
    return errors


@pytest.fixture
def world(app):
    """Two committed studios that require a pass (auto and claim waitlists), customers with a
    pass in each, and classes: timely (48 h ahead), late (3 h: every cancel is late) and one
    the staff cancel."""
    with app.app_context():
        tag = uuid.uuid4().hex[:6]
        auto = StudioFactory(slug=f"auto-{tag}", booking_requires_pass=True)
        claim = StudioFactory(slug=f"claim-{tag}", booking_requires_pass=True,
                              waitlist_mode=WaitlistMode.CLAIM)
        staff = UserFactory()
        customers = UserFactory.create_batch(CUSTOMERS)
        pass_ids = []
        for studio in (auto, claim):
            plan = PlanFactory(studio=studio, credits=CREDITS)
            pass_ids += [passes.grant_pass(studio, plan, c).id for c in customers]
        classes = {
            "timely": ClassFactory(studio=auto, capacity=2, hours_ahead=48),
            "late": ClassFactory(studio=auto, capacity=2, hours_ahead=3),
            "claimed": ClassFactory(studio=claim, capacity=2, hours_ahead=48),
            "cancelled": ClassFactory(studio=auto, capacity=3, hours_ahead=48),
        }
        db.session.commit()
        ids = {"auto": auto.id, "claim": claim.id, "staff": staff.id,
               "customers": [c.id for c in customers], "passes": pass_ids,
               "classes": {k: c.id for k, c in classes.items()}}
    yield ids
    with app.app_context():
        db.engine.dispose()


def _book(class_id, customer_id):
    cls = db.session.get(ScheduledClass, class_id)
    studio = db.session.get(Studio, cls.studio_id)
    user = db.session.get(User, customer_id)
    services.book_class(studio, cls, user, actor=user)


def _cancel(booking_id):
    booking = db.session.get(Booking, booking_id)
    studio = db.session.get(Studio, booking.studio_id)
    services.cancel_booking(studio, booking, actor=booking.customer)


def _claim(booking_id):
    booking = db.session.get(Booking, booking_id)
    studio = db.session.get(Studio, booking.studio_id)
    services.claim_offer(studio, booking, actor=booking.customer)


def _expire(booking_id):
    booking = db.session.get(Booking, booking_id)
    studio = db.session.get(Studio, booking.studio_id)
    services.expire_offer(studio, booking, now=utcnow() + timedelta(days=1))


def _cancel_class(class_id, staff_id):
    cls = db.session.get(ScheduledClass, class_id)
    studio = db.session.get(Studio, cls.studio_id)
    services.cancel_class(studio, cls, actor=db.session.get(User, staff_id))


def _waive(booking_id, staff_id):
    booking = db.session.get(Booking, booking_id)
    studio = db.session.get(Studio, booking.studio_id)
    entitlements.provider().waive_late_cancel(studio, booking,
                                              actor=db.session.get(User, staff_id))


def _revoke(pass_id, staff_id):
    passes.revoke_unused(db.session.get(Pass, pass_id), actor=db.session.get(User, staff_id))


def _active(app, class_ids) -> dict[tuple[int, int], tuple[int, str]]:
    with app.app_context():
        rows = db.session.execute(select(Booking.class_id, Booking.customer_id, Booking.id,
                                         Booking.status)
                                  .where(Booking.class_id.in_(class_ids),
                                         Booking.status.in_(("confirmed", "waitlisted",
                                                             "offered")))).all()
        return {(c, u): (b, s) for c, u, b, s in rows}


def _round(app, world, n: int) -> list:
    """One round: every customer books a class or cancels the booking they hold in it, offers
    are claimed and expired at once, late cancels waived; the staff cancel a class (round 2)
    and a refunded pass is revoked (round 3)."""
    c = world["classes"]
    rotation = [c["timely"], c["late"], c["claimed"], c["cancelled"]]
    active = _active(app, rotation)
    calls = []
    for i, uid in enumerate(world["customers"]):
        cls = rotation[(i + n) % len(rotation)]
        held = active.get((cls, uid))
        if held is None:
            calls.append(lambda cls=cls, uid=uid: _book(cls, uid))
        else:
            calls.append(lambda bid=held[0]: _cancel(bid))
    for (_cls, _uid), (bid, status) in active.items():
        if status == "offered":
            calls += [lambda bid=bid: _claim(bid), lambda bid=bid: _expire(bid)]
    with app.app_context():
        late = db.session.scalars(select(Booking.id).where(
            Booking.class_id == c["late"], Booking.status == "late_cancelled")).all()
    calls += [lambda bid=bid: _waive(bid, world["staff"]) for bid in late]
    if n == 2:
        calls.append(lambda: _cancel_class(c["cancelled"], world["staff"]))
    if n == 3:
        calls.append(lambda: _revoke(world["passes"][0], world["staff"]))
    return _run_together(app, calls)


def _check_counts(app, world):
    with app.app_context():
        for class_id in world["classes"].values():
            cls = db.session.get(ScheduledClass, class_id)
            holding = db.session.scalar(select(func.count()).where(
                Booking.class_id == class_id, Booking.status.in_(HOLDS_SPOT)))
            taken = db.session.scalar(select(ScheduledClass.spots_taken)
                                      .where(ScheduledClass.id == class_id))
            assert taken == holding <= cls.capacity
        bookings = db.session.scalars(select(Booking).where(
            Booking.class_id.in_(world["classes"].values()))).all()
        entries = db.session.scalars(select(CreditEntry).where(
            CreditEntry.pass_id.in_(world["passes"]))).all()
        took = {e.booking_id for e in entries if e.reason == CreditReason.BOOKING}
        back = {e.booking_id for e in entries if e.reason == CreditReason.RETURNED}
        for b in bookings:
            if b.status == BookingStatus.CONFIRMED:
                assert b.id in took and b.id not in back, b.id  # paid for, once
            elif b.status in (BookingStatus.WAITLISTED, BookingStatus.OFFERED):
                assert b.id not in took, b.id  # nothing taken for a place in line
            elif b.status == BookingStatus.CANCELLED and b.id in took:
                revoked = db.session.get(Pass, next(
                    e.pass_id for e in entries if e.booking_id == b.id)).status
                assert b.id in back or revoked == PassStatus.REVOKED, b.id
        for pass_id in world["passes"]:
            pass_ = db.session.get(Pass, pass_id)
            left = passes.balances([pass_id])[pass_id]
            mine = [e for e in entries if e.pass_id == pass_id]
            spent = sum(e.reason == CreditReason.BOOKING for e in mine)
            returned = sum(e.reason == CreditReason.RETURNED for e in mine)
            revoked = -sum(e.delta for e in mine if e.reason == CreditReason.REVOKED)
            assert left == CREDITS - spent + returned - revoked >= 0
            if pass_.status == PassStatus.REVOKED:
                assert left == 0


def test_every_path_against_every_other_no_deadlock_and_every_count_right(app, world):
    answers = []
    for n in range(8):
        errors = _round(app, world, n)
        unexpected = [e for e in errors if not isinstance(e, DomainError)]
        assert unexpected == [], unexpected  # a deadlock would be an OperationalError here
        answers += errors
        _check_counts(app, world)
    with app.app_context():
        made = db.session.scalar(select(func.count()).where(
            Booking.class_id.in_(world["classes"].values())))
        revoked = db.session.get(Pass, world["passes"][0]).status
    assert made >= 3 * CUSTOMERS  # the rounds did book (and cancel, claim, expire)
    assert revoked == PassStatus.REVOKED


def _pause_after_first_lock(monkeypatch, meet: threading.Barrier):
    """Each transaction, once it holds its first lock (the class or a pass), waits for the
    other to hold theirs too (or 2 s, when the other is queued behind it): the interleaving
    in which a reversed order deadlocks."""
    paused = threading.local()

    def after_first_lock():
        if not getattr(paused, "done", False):
            paused.done = True
            try:
                meet.wait(timeout=2)
            except threading.BrokenBarrierError:
                pass  # the other is queued behind this lock: go on

    provider = entitlements.provider()
    hold, lock_paid, lock_class = provider.hold, provider.lock_paid, book_module.lock_class

    def hold_then_pause(*args, **kwargs):
        result = hold(*args, **kwargs)
        after_first_lock()
        return result

    def lock_paid_then_pause(*args, **kwargs):
        lock_paid(*args, **kwargs)
        after_first_lock()

    def lock_class_then_pause(cls):
        taken = lock_class(cls)
        after_first_lock()
        return taken

    monkeypatch.setattr(provider, "hold", hold_then_pause)
    monkeypatch.setattr(provider, "lock_paid", lock_paid_then_pause)
    monkeypatch.setattr(book_module, "lock_class", lock_class_then_pause)
    for module in ("cancel", "waitlist"):
        monkeypatch.setattr(f"app.bookings.services.{module}.lock_class", lock_class_then_pause)
    return lock_class_then_pause


def _booked(app, world) -> tuple[int, int, int]:
    """A customer holding a spot in the timely class: the class, the customer, the booking."""
    cls, uid = world["classes"]["timely"], world["customers"][0]
    with app.app_context():
        _book(cls, uid)
        db.session.commit()
    (bid, _status), = [v for (_c, u), v in _active(app, [cls]).items() if u == uid]
    return cls, uid, bid


def _cancel_and_book_again(app, cls, uid, bid):
    """The customer cancels their spot and, while the cancel is under way, books the class
    again (another tab)."""
    return _run_together(app, [lambda: _cancel(bid), lambda: _book(cls, uid)])


def test_cancel_and_rebook_in_the_lock_order_queue_up(app, world, monkeypatch):
    booked = _booked(app, world)
    _pause_after_first_lock(monkeypatch, threading.Barrier(2))
    assert _cancel_and_book_again(app, *booked) == []
    _check_counts(app, world)


def test_negative_control_a_booking_locking_the_class_first_deadlocks(app, world, monkeypatch):
    booked = _booked(app, world)
    lock_class = _pause_after_first_lock(monkeypatch, threading.Barrier(2))
    book_class = book_module.book_class

    def class_first(studio, cls, customer, **kwargs):
        lock_class(cls)  # the reversed order: the class, then (in book_class) the passes
        return book_class(studio, cls, customer, **kwargs)

    monkeypatch.setattr(services, "book_class", class_first)
    errors = _cancel_and_book_again(app, *booked)
    deadlocks = [e for e in errors if isinstance(e, OperationalError)
                 and getattr(e.orig, "sqlstate", None) == "40P01"]
    assert len(deadlocks) == 1, errors
