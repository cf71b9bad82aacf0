"""What a 1:1 session costs the customer: the seam where credits and orders plug in.

Appointments sit below memberships and billing, so (as app/bookings/entitlements.py does for
classes) booking asks the active provider to hold what will pay (before the coach's lock: the
customer's passes first, the lock order of classes), to pay once the appointment exists and to
release it on cancellation. The default provider makes every session free; billing installs one
that takes credits and places orders.
"""

import enum
from dataclasses import dataclass

from flask_babel import gettext as _

from app.core.errors import DomainError


class PayBy(enum.StrEnum):
    CREDIT = "credit"  # one credit of an eligible pass
    CARD = "card"      # an order for the price, paid by card (Stripe Checkout)
    DESK = "desk"      # an order for the price, owed at the desk


@dataclass(frozen=True)
class SessionHold:
    """What will pay: `pay_by` with its `source` (the locked pass for a credit), or `refusal`,
    raised once the slot itself is known to be free."""

    pay_by: PayBy | None = None
    source: object = None
    refusal: DomainError | None = None


FREE = SessionHold()


@dataclass(frozen=True)
class SessionReleased:
    """What cancelling did to the payment; `message` is the sentence the customer reads."""

    message: str


class FreeSessions:
    """Every session is free."""

    def plan_choices(self, studio) -> list[tuple[int, str]]:
        """(id, name) of the studio's plans whose credits could pay for sessions."""
        return []

    def ways_to_pay(self, studio, customer, session_type, starts_at) -> list[PayBy]:
        """The ways `customer` could pay for this session now, best first (to offer them)."""
        return []

    def hold(self, studio, customer, session_type, starts_at, pay_by: PayBy | None
             ) -> SessionHold:
        """Choose and lock what will pay (None: the best way there is); never raises."""
        return FREE

    def pay(self, studio, appointment, hold: SessionHold, *, actor, now):
        """Take what the new appointment costs (raising the hold's refusal). Returns the order
        placed for it, if any (a card order to send the customer to Checkout with)."""
        if hold.refusal is not None:
            raise hold.refusal
        return None

    def lock_paid(self, appointment) -> None:
        """Lock what paid for it, before the coach's lock (the order of booking)."""

    def release(self, studio, appointment, *, late: bool, actor, now) -> SessionReleased:
        """Give back (in time) or keep (late) what the appointment took; say what happened."""
        return SessionReleased(_("Your session is cancelled."))

    def describe_cancel(self, studio, appointment, *, late: bool) -> str | None:
        """What cancelling now will do to what was paid (None: nothing to add)."""
        return None


_provider = FreeSessions()


def provider():
    return _provider


def install(new_provider) -> None:
    """Replace the provider (called once by billing)."""
    global _provider
    _provider = new_provider
