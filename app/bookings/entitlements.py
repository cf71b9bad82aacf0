"""What a booking costs the customer: the seam where passes and credits plug in.

The booking service asks the active provider to hold what would pay for a booking (before it
locks the class), to reserve it when a spot is confirmed and to release it on cancellation;
every lock the provider takes follows the order in app/bookings/services/locks.py. The default
provider makes classes free; the memberships domain installs one that takes and returns credits.
"""

from dataclasses import dataclass

from flask_babel import gettext as _

from app.core.errors import DomainError
from app.core.i18n import format_money


@dataclass(frozen=True)
class Hold:
    """What will pay for a booking, chosen (and locked) before the class is locked: `source`
    (a pass, or None when nothing is owed), or `refusal`, why nothing can pay, raised only
    once the booking is otherwise decided (so that a closed class still says it is closed)."""

    source: object = None
    refusal: DomainError | None = None


FREE = Hold()


@dataclass(frozen=True)
class Released:
    """What a cancellation did to what the booking cost: a credit given back or kept, a fee
    owed at the desk (minor units)."""

    late: bool = False
    credit_back: bool = False
    credit_used: bool = False
    fee_minor: int = 0
    currency: str = ""
    # A late cancel a policy let off (LateWaiver: "forgiven", "refilled"): it cost nothing.
    waiver: str | None = None

    def message(self) -> str:
        """The one sentence the customer reads after cancelling."""
        fee = format_money(self.fee_minor, self.currency) if self.fee_minor else None
        if self.waiver == "forgiven":
            return (_("Late cancel, forgiven — your credit is back, no fee.") if self.credit_back
                    else _("Late cancel, forgiven — no fee."))
        if self.waiver == "refilled":
            return (_("Late cancel waived: someone from the waitlist took your spot — your "
                      "credit is back.") if self.credit_back
                    else _("Late cancel waived: someone from the waitlist took your spot."))
        if not self.late:
            return (_("Cancelled — your credit is back.") if self.credit_back
                    else _("Cancelled."))
        if self.credit_used and fee:
            return _("Late cancel — 1 credit used, fee %(fee)s owed at the desk.", fee=fee)
        if self.credit_used:
            return _("Late cancel — 1 credit used.")
        if fee:
            return _("Late cancel — fee %(fee)s owed at the desk.", fee=fee)
        return _("Late cancel — the studio records it as a late cancellation.")


class FreeEntitlements:
    """Every class is free: nothing to reserve, nothing to return."""

    def can_pay(self, studio, customer, cls) -> bool:
        """Whether `customer` could pay for `cls` now (to offer passes before they try)."""
        return True

    def ticket_price(self, studio, cls) -> str | None:
        """The price of `cls`'s own ticket (a paid event), as the class page shows it."""
        return None

    def hold(self, studio, customer, cls) -> Hold:
        """Choose and lock what would pay for `customer` booking `cls` (first in the lock
        order); never raises: a customer who cannot pay gets a Hold with its refusal."""
        return FREE

    def reserve(self, studio, booking, hold: Hold | None = None) -> None:
        """Take what the confirmed `booking` costs from `hold` (raising its refusal). Without a
        hold (a promotion from the waitlist, under another class's lock) the customer's passes
        are tried without waiting: ClassBusy when someone holds them, NoEntitlement when they
        cannot pay."""

    def lock_paid(self, booking_ids: list[int], *, wait: bool = True) -> None:
        """Lock what paid for these bookings, before a class lock (`wait=False`: after one,
        raising ClassBusy rather than waiting)."""

    def release(self, booking, *, late: bool) -> Released:
        """Give back what the booking took; a late cancel keeps it. Says what it did."""
        return Released(late=late)

    def no_show(self, booking) -> None:
        """A booked member did not come (the studio may charge a fee)."""

    def credits_kept(self, booking_ids: list[int]) -> dict[int, bool]:
        """Per booking that took a credit: True while it is kept, False once given back."""
        return {}

    def waive_late_cancel(self, studio, booking, *, actor):
        """Give back what a late cancel kept (audited); None when there is nothing to give."""
        return None

    def undo_late_cancel(self, studio, booking) -> None:
        """A policy let a late cancel off after the fact (its spot filled from the waitlist):
        give back what it kept and drop what it charged. The caller holds what paid for it
        (lock_paid)."""

    def describe_cancel(self, booking, *, late: bool) -> str:
        """One sentence telling the customer what cancelling now will do."""
        if late:
            return _("Late cancel: the class starts soon, so the studio records this as a "
                     "late cancellation.")
        return _("You can cancel free of charge.")


_provider = FreeEntitlements()


def provider():
    return _provider


def install(new_provider) -> None:
    """Replace the provider (called once by the domain that sells passes)."""
    global _provider
    _provider = new_provider
