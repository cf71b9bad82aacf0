"""Class types: what a class is, how long it runs, how much notice its changes need."""

from app.extensions import db
from app.schedule.models import ClassType
from app.studios.models import Studio


def save_class_type(studio: Studio, class_type: ClassType | None = None, **fields) -> ClassType:
    """Create or update a class type; names and descriptions are {lang: text} maps."""
    if class_type is None:
        class_type = ClassType(studio_id=studio.id)
        db.session.add(class_type)
    for key in ("name", "description", "duration_minutes", "color", "change_notice_hours"):
        if key in fields:
            setattr(class_type, key, fields[key])
    db.session.flush()
    return class_type
