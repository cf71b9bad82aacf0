"""Who may open the exercise library, add to a studio's exercises, and edit workouts and plans."""

from app.studios.policies import can_coach
from app.studios.queries import studios_managed_by


def coaching_studios(user) -> list:
    """Studios where the user is staff: their exercises are in the user's library."""
    return [s for s in studios_managed_by(user) if can_coach(user, s)]


def can_add_exercise(user, studio) -> bool:
    """Any staff of the studio may add to its own exercises."""
    return can_coach(user, studio)


def can_train_clients(user, studio) -> bool:
    """Staff who coach at the studio see and edit its workout templates, its clients' plans,
    progress and logged workouts; customers never reach these pages (their own is /me/training)."""
    return can_coach(user, studio)
