"""Passes pay for bookings: the provider the booking service calls (see bookings.entitlements).

Studios that do not require a pass book for free.
"""

from flask_babel import gettext as _

from app.bookings.entitlements import FREE, FreeEntitlements, Hold, Released
from app.bookings.errors import ClassBusy
from app.core.db import without_waiting
from app.core.errors import DomainError
from app.core.i18n import format_money
from app.memberships import queries, services


class PassEntitlements(FreeEntitlements):
    def _studio(self, booking):
        return booking.scheduled_class.studio

    def can_pay(self, studio, customer, cls) -> bool:
        if not studio.booking_requires_pass:
            return True
        try:
            services.pick_pass(studio, customer, cls, lock=False)
        except DomainError:
            return False
        return True

    def ticket_price(self, studio, cls) -> str | None:
        ticket = queries.event_ticket(cls)
        return format_money(ticket.price_minor, ticket.currency) if ticket else None

    def hold(self, studio, customer, cls) -> Hold:
        """The customer's passes locked and the best one picked. A customer without any usable
        pass cannot even join the waitlist (the refusal is raised either way)."""
        if not studio.booking_requires_pass:
            return FREE
        try:
            return Hold(services.pick_pass(studio, customer, cls, lock=True))
        except DomainError as exc:
            return Hold(refusal=exc)

    def reserve(self, studio, booking, hold: Hold | None = None) -> None:
        if hold is not None:
            if hold.refusal is not None:
                raise hold.refusal
            if hold.source is not None:
                services.spend_credit(hold.source, booking)
            return
        if studio.booking_requires_pass:
            with without_waiting(ClassBusy):
                services.take_credit(studio, booking, nowait=True)

    def lock_paid(self, booking_ids: list[int], *, wait: bool = True) -> None:
        if wait:
            services.lock_debited_passes(booking_ids)
            return
        with without_waiting(ClassBusy):
            services.lock_debited_passes(booking_ids, nowait=True)

    def release(self, booking, *, late: bool) -> Released:
        if not late:
            return Released(credit_back=services.return_credit(booking) is not None)
        return Released(late=True, credit_used=services.booking_debit(booking) is not None)

    def credits_kept(self, booking_ids: list[int]) -> dict[int, bool]:
        return queries.credits_kept(booking_ids)

    def waive_late_cancel(self, studio, booking, *, actor):
        return services.waive_late_cancel(studio, booking, actor=actor)

    def undo_late_cancel(self, studio, booking) -> None:
        services.waive_late_cancel(studio, booking, actor=None)

    def describe_cancel(self, booking, *, late: bool) -> str:
        debit = services.booking_debit(booking) if booking.id else None
        if debit is None:
            return super().describe_cancel(booking, late=late)
        if late:
            return _("Late cancel: the class starts soon, so 1 credit is used.")
        return _("You keep your credit: it goes back to your pass.")
