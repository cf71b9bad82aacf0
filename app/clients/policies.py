"""Who may see a studio's clients and their private notes."""

from app.studios.models import Studio
from app.studios.policies import COACHES
from app.studios.queries import staff_role


def can_see_clients(user, studio: Studio) -> bool:
    """Any staff of the studio sees its clients and private notes; customers never do."""
    return staff_role(user, studio) in COACHES
