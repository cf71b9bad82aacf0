"""Passes pay for 1:1 sessions: a session type names the plans whose credits it takes.

The customer's passes are locked as for a class (every pass they hold in the studio, in id
order: app/bookings/services/locks.py), before the coach's lock, so two sessions booked at once
on the last credit queue up and the second finds none left.
"""

from sqlalchemy import select

from app.bookings.errors import NoEntitlement
from app.extensions import db
from app.memberships.models import CreditEntry, CreditReason, Pass
from app.memberships.services import NEVER, PayingPass, held_passes, spend_credit


def session_passes(studio, customer, session_type, starts_at, *, lock: bool,
                   nowait: bool = False) -> list[PayingPass]:
    """The customer's passes that can pay for a session of `session_type` at `starts_at`, the
    one expiring first first (`lock`: every pass they hold in the studio, locked)."""
    if not session_type.plan_ids:
        return []
    usable = [p for p in held_passes(studio, customer, lock=lock, nowait=nowait)
              if (p.is_unlimited or p.credits_left > 0) and p.usable_for(starts_at)
              and p.plan_id in session_type.plan_ids]
    return sorted(usable, key=lambda p: (p.expires_at is None, p.expires_at or NEVER, p.id))


def pick_session_pass(studio, customer, session_type, starts_at, *, lock: bool) -> PayingPass:
    """The best pass to pay for the session, or NoEntitlement."""
    found = session_passes(studio, customer, session_type, starts_at, lock=lock)
    if not found:
        raise NoEntitlement()
    return found[0]


def spend_session_credit(pass_: PayingPass, appointment, *, now) -> None:
    spend_credit(pass_, None, appointment=appointment, now=now)


def session_debit(appointment) -> CreditEntry | None:
    return db.session.scalar(select(CreditEntry).where(
        CreditEntry.appointment_id == appointment.id, CreditEntry.reason == CreditReason.BOOKING))


def lock_session_pass(appointment) -> None:
    """Lock the pass that paid for the session (a cancel gives its credit back under it)."""
    db.session.execute(
        select(Pass.id).join(CreditEntry, CreditEntry.pass_id == Pass.id)
        .where(CreditEntry.appointment_id == appointment.id,
               CreditEntry.reason == CreditReason.BOOKING).with_for_update(of=Pass))

