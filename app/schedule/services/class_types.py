"""Class types: what a class is, how long it runs, how much notice its changes need, and its
own booking policies on top of the studio's (POLICY_FIELDS, None for the studio's)."""

from app.audit.services import record
from app.extensions import db
from app.schedule.models import POLICY_FIELDS, ClassType
from app.studios.models import Studio


def save_class_type(studio: Studio, class_type: ClassType | None = None, *, actor=None,
                    **fields) -> ClassType:
    """Create or update a class type; names and descriptions are {lang: text} maps. A change of
    its policies is audited (each changed field, before and after)."""
    if class_type is None:
        class_type = ClassType(studio_id=studio.id)
        db.session.add(class_type)
    before = {name: getattr(class_type, name) for name in POLICY_FIELDS}
    for key in ("name", "description", "duration_minutes", "color", "change_notice_hours",
                *POLICY_FIELDS):
        if key in fields:
            setattr(class_type, key, fields[key])
    db.session.flush()
    changed = {name: [_plain(before[name]), _plain(getattr(class_type, name))]
               for name in POLICY_FIELDS if before[name] != getattr(class_type, name)}
    if changed:
        record("class_type.policies_changed", actor=actor, studio_id=studio.id,
               subject=f"class_type:{class_type.id}", changed=changed)
    return class_type


def _plain(value):
    return value if value is None or isinstance(value, bool | int) else str(value)
