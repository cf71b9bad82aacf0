"""A studio's places: locations (each with its zone, currency, tax jurisdiction and
registration numbers) and their rooms. Both are archived, never deleted: classes and orders
keep pointing at them."""

from app.audit.services import record
from app.core.db import utcnow
from app.core.errors import InvalidInput
from app.extensions import db
from app.studios.errors import DefaultLocationKept
from app.studios.models import Location, Room, Studio
from app.studios.services import add_location

LOCATION_FIELDS = ("name", "address", "timezone", "currency", "tax_jurisdiction", "tax_numbers")
ROOM_FIELDS = ("name", "capacity")


def open_location(studio: Studio, *, actor, **fields) -> Location:
    """Add a location to `studio` (audited)."""
    location = add_location(studio, **{k: fields[k] for k in LOCATION_FIELDS if k in fields})
    record("location.opened", actor=actor, studio_id=studio.id,
           subject=f"location:{location.id}", timezone=location.timezone,
           tax_jurisdiction=location.tax_jurisdiction)
    return location


def update_location(studio: Studio, location: Location, *, actor, **fields) -> Location:
    """Change a location's name, address, zone, currency, jurisdiction or numbers (audited:
    they decide the taxes of what is sold there)."""
    _own(studio, location)
    before = {k: getattr(location, k) for k in LOCATION_FIELDS}
    for key in LOCATION_FIELDS:
        if key in fields:
            setattr(location, key, fields[key])
    db.session.flush()
    changed = {k: [before[k], getattr(location, k)] for k in LOCATION_FIELDS
               if before[k] != getattr(location, k)}
    if changed:
        record("location.changed", actor=actor, studio_id=studio.id,
               subject=f"location:{location.id}", changed=changed)
    return location


def archive_location(studio: Studio, location: Location, *, actor, now=None) -> Location:
    """Take a location out of the pickers for new classes and rooms; what is already there
    stays. The default location speaks for the studio and stays (DefaultLocationKept)."""
    _own(studio, location)
    if location.id == studio.default_location_id:
        raise DefaultLocationKept()
    if location.archived_at is None:
        location.archived_at = now or utcnow()
        db.session.flush()
        record("location.archived", actor=actor, studio_id=studio.id,
               subject=f"location:{location.id}")
    return location


def restore_location(studio: Studio, location: Location, *, actor) -> Location:
    """Bring an archived location back."""
    _own(studio, location)
    if location.archived_at is not None:
        location.archived_at = None
        db.session.flush()
        record("location.restored", actor=actor, studio_id=studio.id,
               subject=f"location:{location.id}")
    return location


def add_room(studio: Studio, location: Location, *, actor, name: dict, capacity: int) -> Room:
    """Add a room to a location of `studio`."""
    _own(studio, location)
    room = Room(studio_id=studio.id, location_id=location.id, name=name, capacity=capacity)
    db.session.add(room)
    db.session.flush()
    record("room.added", actor=actor, studio_id=studio.id, subject=f"room:{room.id}",
           location_id=location.id, capacity=capacity)
    return room


def update_room(studio: Studio, room: Room, *, actor, **fields) -> Room:
    """Rename a room or change its capacity."""
    _own(studio, room)
    for key in ROOM_FIELDS:
        if key in fields:
            setattr(room, key, fields[key])
    db.session.flush()
    return room


def archive_room(studio: Studio, room: Room, *, actor, now=None) -> Room:
    """Take a room out of the pickers; classes already in it stay."""
    _own(studio, room)
    if room.archived_at is None:
        room.archived_at = now or utcnow()
        db.session.flush()
        record("room.archived", actor=actor, studio_id=studio.id, subject=f"room:{room.id}")
    return room


def _own(studio: Studio, row) -> None:
    if row.studio_id != studio.id:  # loaders already 404 a foreign row; a service never trusts it
        raise InvalidInput()
