"""Who may do what with calendars."""

from app.studios.policies import coaches_anywhere


def can_sync_calendar(user) -> bool:
    """Coaches keep their own calendar in step (their classes and sessions); customers
    subscribe to their feed instead."""
    return coaches_anywhere(user)
