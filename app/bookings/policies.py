"""Who may book and cancel. Every booking permission is decided here."""

from app.studios.policies import can_see_roster


def can_change_booking(user, studio, booking) -> bool:
    """Customers change their own bookings; staff change those of a class whose roster they
    may open (the same rule as the roster: a plain trainer, their own classes only)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return booking.customer_id == user.id or can_see_roster(user, studio,
                                                            booking.scheduled_class)
