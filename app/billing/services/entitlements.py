"""Bookings paid with passes, and the fees a studio charges for late cancels and no-shows."""

from dataclasses import replace

from flask_babel import gettext as _
from sqlalchemy import select

from app.billing.models import GroupPlace
from app.billing.services import fees
from app.bookings.entitlements import Released
from app.bookings.services.rules import late_cancel_fee
from app.core.i18n import format_money
from app.extensions import db
from app.memberships.entitlements import PassEntitlements
from app.memberships.services import booking_debit


def _is_group_place(booking) -> bool:
    return db.session.scalar(select(GroupPlace.id).where(GroupPlace.booking_id == booking.id)) \
        is not None


class PaidBookings(PassEntitlements):
    def release(self, booking, *, late: bool) -> Released:
        released = super().release(booking, late=late)
        # A group's place is paid by its order: cancelled late, that share is kept, no fee.
        charged = late and not _is_group_place(booking)
        fee = fees.charge_fee(self._studio(booking), booking, kind="late_cancel") if charged \
            else None
        if fee is None:
            return released
        return replace(released, fee_minor=fee.gross_minor, currency=fee.currency)

    def no_show(self, booking) -> None:
        fees.charge_fee(self._studio(booking), booking, kind="no_show")

    def undo_late_cancel(self, studio, booking) -> None:
        super().undo_late_cancel(studio, booking)
        fees.drop_fee(studio, booking, why="refilled")

    def describe_cancel(self, booking, *, late: bool) -> str:
        studio = self._studio(booking)
        amount = late_cancel_fee(studio, booking.scheduled_class)
        if not (late and amount > 0):
            return super().describe_cancel(booking, late=late)
        fee = format_money(amount, studio.currency)
        if booking.id and booking_debit(booking) is not None:
            return _("Late cancel: 1 credit is used and a fee of %(fee)s is charged.", fee=fee)
        return _("Late cancel: a fee of %(fee)s is charged.", fee=fee)
