"""Who may see and change a 1:1 session."""

from app.studios.policies import can_coach


def can_change_appointment(user, studio, appointment) -> bool:
    """The customer themselves, or the studio's staff."""
    if not getattr(user, "is_authenticated", False):
        return False
    return appointment.customer_id == user.id or can_coach(user, studio)
