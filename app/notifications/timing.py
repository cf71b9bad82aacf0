"""When a reminder is due: the hours before an event a studio set (Studio.reminder_hours),
shared by class reminders and 1:1 session reminders."""
from datetime import datetime, timedelta


def due_hours(hours: list[int], starts_at: datetime, booked_at: datetime,
              now: datetime) -> int | None:
    """The reminder (hours before the event) due now for a booking: the latest one whose
    time has come and was after the booking was made; None before the first or after the
    event started."""
    if now >= starts_at:
        return None
    due = [h for h in hours
           if starts_at - timedelta(hours=h) <= now and booked_at <= starts_at - timedelta(hours=h)]
    return min(due) if due else None
