"""The locks of the booking use cases, and the one order every path takes them in.

Capacity is a lock plus a constraint: every change to a class's bookings first locks the class
row (SELECT … FOR UPDATE with a short lock_timeout on PostgreSQL), and a partial unique index
allows one active booking per customer per class. Credits are a lock plus a ledger: a credit
entry is only ever written with its pass row locked, so two transactions cannot spend the same
last credit nor return one to a pass being revoked.

Lock order. A transaction waits only for a lock that comes later in this list than every lock
it already holds; so no two transactions can wait for each other (no deadlock):

1. the customer's link to the studio (`ensure_customer`: the customer's own row),
2. passes, in id order: the customer's own (`entitlements.provider().hold`) or those that paid
   for the bookings a path will cancel (`lock_paid`),
3. the class row (`lock_class`), and nothing after it but the bookings of that class.

Under a class lock a path never waits for a pass. Where it must touch a pass it could not lock
first (the next person's, when a freed spot goes straight to the waitlist; a booking made while
a class was being cancelled) it takes the pass with NOWAIT (`core.db.without_waiting`): a busy
pass means "offer the spot instead" (waitlist) or ClassBusy, try again (cancelling a class).

| path                       | 1 link | 2 passes                      | 3 class | after 3 (NOWAIT) |
|----------------------------|--------|-------------------------------|---------|------------------|
| book (customer, walk-in)   | yes ¹  | own, when a pass is required  | yes     |                  |
| claim an offer             |        | own, then (NOWAIT) the refilled late cancel's ² | yes | |
| cancel a booking           | yes ¹  | the one that paid for it      | yes     | the next's       |
| expire an offer (worker)   |        |                               | yes     | the next's       |
| cancel a class (staff)     |        | those that paid for its spots | yes     | late bookings'   |
| check-in, no-show (staff)  |        |                               | yes     |                  |
| waive late cancel (staff)  |        | the one that paid for it      |         |                  |
| revoke on refund (staff)   |        | the refunded order's passes   |         |                  |
| promote by hand (staff)    |        | own, when a pass is required  | yes     |                  |
| move a booking (staff)     |        | all the customer's, id order  | both, id order |           |
| group booking (staff)      | each   | (the order, its invoice no.)  | yes     |                  |
| a course for a group       | each   | (the order, its invoice no.)  | all, id order |            |
| merge customers (staff)    | both   | (moved, not locked)           |         |                  |

¹ Locked (FOR UPDATE) when a rule counts the customer's bookings: the cap on upcoming bookings
(booking), forgiveness of late cancels (cancelling). ² Auto-waive (rules.py): the late cancel
whose spot the claim fills gets its credit back; the promotion by hand does the same.

A merge holds both accounts' rows (FOR UPDATE) to its commit. Every booking INSERT first takes
its customer's row FOR KEY SHARE (the trigger bookings_follow_merge, migration 0045, as the
foreign key would after the row): one made while a merge runs waits for it, then lands on the
account kept; one made before it is moved by the merge (or the merge refuses).

A move holds two class locks and a course booked for a group holds its sessions' locks, each
taken in id order; every other path holds one and waits for nothing after it, so no cycle can
close through them. A group booking takes its order and
invoice number before the class (as a card order's delivery does), and its order does not name
the class: that foreign key would share-lock the class row ahead of the class lock.

The class lock is held from the spot decision to the commit, so what comes before it is all
that can: the customer's link, choosing and locking a pass, checking that they may pay.
tests/bookings/test_lock_order.py drives these paths against each other, with the order
reversed as a negative control.
"""

from functools import cache

from flask import current_app
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm.attributes import set_committed_value

from app.bookings.errors import ClassBusy
from app.bookings.models import ACTIVE, Booking
from app.core.db import bounded_wait, is_postgresql, one_of
from app.extensions import db
from app.schedule.models import ScheduledClass

_CLASSES = ScheduledClass.__table__
# What the booking rules read of a class that another transaction may have changed.
_DECIDING = ("status", "starts_at", "ends_at", "capacity")


@cache
def _reread_class(*, locked: bool) -> Select:
    reread = (select(*(_CLASSES.c[name] for name in _DECIDING), _CLASSES.c.spots_taken)
              .where(_CLASSES.c.id == bindparam("id")))
    return reread.with_for_update() if locked else reread


def lock_class(cls: ScheduledClass) -> int:
    """Serialise every booking change on one class for the rest of the transaction (step 3 of
    the lock order); what the rules read of `cls` is refreshed from the locked row (one
    statement, SQLAlchemy Core). Returns its spots taken, as of this transaction."""
    conn = db.session.connection()
    if not is_postgresql():
        row = conn.execute(_reread_class(locked=False), {"id": cls.id}).one()
    else:
        # Statements bounded too, to the commit: putting the default back would cost everyone
        # queued behind this lock one more round trip.
        with bounded_wait(current_app.config["BOOKING_LOCK_TIMEOUT_MS"], ClassBusy,
                          whole_statements=True):
            row = conn.execute(_reread_class(locked=True), {"id": cls.id}).one()
    for name, value in zip(_DECIDING, row, strict=False):
        set_committed_value(cls, name, value)
    return row[-1]


_SPOTS_TAKEN = select(ScheduledClass.spots_taken).where(ScheduledClass.id == bindparam("id"))


def spots_taken(cls: ScheduledClass) -> int:
    """Bookings holding a spot in `cls` (confirmed, offered, attended, no-show), as of this
    transaction (the class row's count, which a trigger keeps: ScheduledClass.spots_taken)."""
    return db.session.scalar(_SPOTS_TAKEN, {"id": cls.id})


_ACTIVE_BOOKING = select(Booking).where(
    Booking.class_id == bindparam("class_id"), Booking.customer_id == bindparam("customer_id"),
    one_of(Booking.status, ACTIVE))


def active_booking(cls: ScheduledClass, customer) -> Booking | None:
    return db.session.scalar(_ACTIVE_BOOKING, {"class_id": cls.id, "customer_id": customer.id})
