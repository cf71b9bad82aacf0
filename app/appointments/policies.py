"""Who may see and change a 1:1 session."""

from app.studios.policies import can_see_session


def can_change_appointment(user, studio, appointment) -> bool:
    """The customer themselves, or staff who may see the session (a plain trainer: their own)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return appointment.customer_id == user.id or can_see_session(user, studio, appointment)

