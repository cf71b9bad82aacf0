"""The frame around a studio's week: the studio, its locations and its filters' choices.

On PostgreSQL a frame is remembered per process and checked on every request by its version, a
digest of every row it is made of (the studio's row, its locations' and class types' rows, its
staff's roles and names), taken in the statement that versions the week
(app/bookings/week.py: load_week). A change made anywhere, even by SQL outside the app,
changes the version, and the next request loads the frame again. On SQLite it is loaded on
every request.
"""

from dataclasses import dataclass

from flask import abort, current_app
from sqlalchemy import literal_column, select

from app.core.db import is_postgresql
from app.extensions import db
from app.schedule.queries import Choice, filter_choices
from app.studios.models import Location, Studio
from app.studios.queries import entered, get_studio_or_404

# Whole rows as text (`t::text`): any column that changes changes the digest.
FRAME_VERSION = literal_column("""md5(concat_ws('|', studios::text,
  (SELECT string_agg(l::text, ',' ORDER BY l.id) FROM locations l WHERE l.studio_id = studios.id),
  (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM class_types t WHERE t.studio_id = studios.id),
  (SELECT string_agg(concat_ws(':', r.id, r.role, u.id, u.name), ',' ORDER BY r.id)
     FROM staff_roles r JOIN users u ON u.id = r.user_id WHERE r.studio_id = studios.id)))""")


@dataclass(frozen=True)
class WeekFrame:
    """What the week page shows around its classes. A remembered frame's studio and locations
    are detached and fully loaded: shared by a process's requests, read and never added to a
    session."""

    studio: Studio
    locations: tuple[Location, ...]
    class_types: list[Choice]
    coaches: list[Choice]
    version: str | None  # None: not remembered (SQLite)

    @property
    def tz(self) -> str:
        return self.studio.timezone


def _frames() -> dict[str, WeekFrame]:
    return current_app.extensions.setdefault("week_frames", {})


def remembered_frame(slug: str) -> WeekFrame | None:
    """The frame this process remembers for `slug`, unchecked (load_week checks its version)."""
    return _frames().get(slug)


def use_frame(frame: WeekFrame) -> WeekFrame:
    """A remembered frame found current: the request is in its studio."""
    entered(frame.studio)
    return frame


def load_frame(slug: str) -> WeekFrame:
    """Load the studio's frame (a 404 for an unknown studio); on PostgreSQL, remember it under
    the version read first, so that a change made meanwhile leaves an entry no one matches."""
    version = None
    if is_postgresql():
        version = db.session.scalar(select(FRAME_VERSION).select_from(Studio)
                                    .where(Studio.slug == slug))
        if version is None:
            abort(404)
    studio = get_studio_or_404(slug)
    class_types, coaches = filter_choices(studio)
    frame = WeekFrame(studio, tuple(studio.locations), class_types, coaches, version)
    if version is not None:
        for row in (studio, *frame.locations):
            db.session.expunge(row)
        _frames()[slug] = frame
    return frame
