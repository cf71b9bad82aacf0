"""Rows that calendars show count their own changes.

A calendar client keeps an event it has seen unless the feed's copy carries a higher SEQUENCE
(RFC 5545), and a CalDAV push must know whether its copy is behind. `Revised` gives a model a
`revision`, raised by one on every flush that changes a column listed in `__revised__` (what a
calendar shows: time, place, coach, status), and `changed_at`, when that last happened (the
event's DTSTAMP and LAST-MODIFIED, so an unchanged feed is the same bytes and keeps its ETag).
Raised in the UPDATE itself (`revision + 1`), so two transactions changing a row in turn both
count. Every change here goes through the ORM; SQL that bypasses it must raise `revision`
itself.
"""

from datetime import datetime

from sqlalchemy import event, func, inspect
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime, utcnow


class Revised:
    __revised__: tuple[str, ...] = ()

    revision: Mapped[int] = mapped_column(default=0, server_default="0")
    # The server's default covers rows inserted by SQL (PostgreSQL; SQLite's ADD COLUMN cannot
    # have one, and the app always sets it).
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow,
                                                 server_default=func.now())


@event.listens_for(Revised, "before_update", propagate=True)
def _count_change(mapper, connection, target) -> None:
    state = inspect(target)
    if any(state.attrs[name].history.has_changes() for name in target.__revised__):
        target.revision = type(target).revision + 1
        target.changed_at = utcnow()
