"""A person deleting their account, as calendars see it: the private feed's secret is gone
(its link answers 404) and a connected CalDAV calendar is disconnected, its password with it.
Called through accounts' seam (app/accounts/services/deletion.py)."""

from sqlalchemy import delete

from app.calendars.models import CalendarFeed
from app.calendars.queries import connection_of
from app.calendars.services.connections import disconnect
from app.extensions import db


def forget_calendars(user, *, actor, now) -> None:
    """Delete `user`'s feed and their calendar connection."""
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    connection = connection_of(user)
    if connection is not None:
        disconnect(connection, actor=actor)
