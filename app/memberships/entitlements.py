"""Passes pay for bookings: the provider the booking service calls (see bookings.entitlements).

Studios that do not require a pass book for free.
"""

from flask_babel import gettext as _

from app.bookings.entitlements import FreeEntitlements, Released
from app.core.errors import DomainError
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

    def check(self, booking) -> None:
        """A customer without any usable pass cannot even join the waitlist."""
        studio = self._studio(booking)
        if studio.booking_requires_pass:
            services.pick_pass(studio, booking.customer, booking.scheduled_class, lock=False)

    def reserve(self, booking) -> None:
        studio = self._studio(booking)
        if studio.booking_requires_pass:
            services.take_credit(studio, booking)

    def release(self, booking, *, late: bool) -> Released:
        if not late:
            return Released(credit_back=services.return_credit(booking) is not None)
        return Released(late=True, credit_used=services.booking_debit(booking) is not None)

    def credits_kept(self, booking_ids: list[int]) -> dict[int, bool]:
        return queries.credits_kept(booking_ids)

    def waive_late_cancel(self, studio, booking, *, actor):
        return services.waive_late_cancel(studio, booking, actor=actor)

    def describe_cancel(self, booking, *, late: bool) -> str:
        debit = services.booking_debit(booking) if booking.id else None
        if debit is None:
            return super().describe_cancel(booking, late=late)
        if late:
            return _("Late cancel: the class starts soon, so 1 credit is used.")
        return _("You keep your credit: it goes back to your pass.")
