"""Who may book and cancel. Every booking permission is decided here."""

from app.studios.policies import can_coach


def can_change_booking(user, studio, booking) -> bool:
    """Customers change their own bookings; studio staff may change anyone's."""
    if not getattr(user, "is_authenticated", False):
        return False
    return booking.customer_id == user.id or can_coach(user, studio)
