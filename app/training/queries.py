"""Read helpers for the exercise library (one builder for the page and its results fragment)."""

from sqlalchemy import or_, select

from app.core.i18n import translated
from app.extensions import db
from app.training.models import Exercise, MuscleGroup


def parse_muscle_group(value: str | None) -> MuscleGroup | None:
    """The muscle group named in a query string, or None (any) for a blank or unknown value."""
    try:
        return MuscleGroup(value) if value else None
    except ValueError:
        return None


def list_exercises(studios, search: str = "", muscle_group: MuscleGroup | None = None
                   ) -> list[Exercise]:
    """Built-in exercises plus those of `studios`, narrowed by muscle group and by a search in
    either language, sorted by the name shown."""
    query = select(Exercise).where(or_(Exercise.studio_id.is_(None),
                                       Exercise.studio_id.in_([s.id for s in studios])))
    if muscle_group:
        query = query.where(Exercise.muscle_group == muscle_group)
    rows = db.session.scalars(query).all()
    # Names are JSON maps: matching in Python covers both languages on every database.
    needle = search.strip().casefold()
    if needle:
        rows = [e for e in rows if any(needle in (t or "").casefold() for t in e.name.values())]
    return sorted(rows, key=lambda e: (translated(e.name).casefold(), e.id))
