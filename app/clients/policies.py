"""Who may see a studio's clients, its customers at the desk, and their private notes."""

from app.studios.models import Studio
from app.studios.policies import COACHES, DESK
from app.studios.queries import staff_role

# The roles that work the front desk: see every customer of the studio, add them, edit the
# studio's record of them.
CUSTOMER_DESK = DESK


def can_see_clients(user, studio: Studio) -> bool:
    """Any staff of the studio sees its clients and private notes; customers never do."""
    return staff_role(user, studio) in COACHES


def can_manage_customers(user, studio: Studio) -> bool:
    """Whether the user sees and edits every customer of the studio (trainers keep their own
    client list in the coach area)."""
    return staff_role(user, studio) in CUSTOMER_DESK
