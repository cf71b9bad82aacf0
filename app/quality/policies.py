"""Who sees a studio's data-quality findings and asks for a run: its owners and admins."""

from app.studios.policies import can_manage_studio


def can_check_data(user, studio) -> bool:
    """Owners and studio admins (the desk fixes what they are sent, it does not see the list)."""
    return can_manage_studio(user, studio)
