"""A studio's profile: its names, contact details, about text, terms and privacy texts, and its
logo."""

import hashlib

from app.audit.services import record
from app.extensions import db
from app.studios.models import Studio

PROFILE_FIELDS = ("name", "contact_email", "contact_phone", "website", "about", "terms",
                  "privacy")


def update_profile(studio: Studio, *, actor, **fields) -> Studio:
    """Change what customers read about the studio (audited: terms and privacy bind them)."""
    changed = [k for k in PROFILE_FIELDS if k in fields and getattr(studio, k) != fields[k]]
    for key in changed:
        setattr(studio, key, fields[key])
    db.session.flush()
    if changed:
        record("studio.profile_changed", actor=actor, studio_id=studio.id,
               subject=f"studio:{studio.id}", fields=changed)
    return studio


def set_logo(studio: Studio, *, actor, data: bytes | None, content_type: str = "") -> Studio:
    """Store the studio's logo, already checked and cleaned by the form (None removes it). Its
    version is a hash of the bytes, so a new logo has a new URL."""
    studio.logo = data
    studio.logo_type = content_type if data else ""
    studio.logo_version = hashlib.sha256(data).hexdigest()[:16] if data else ""
    db.session.flush()
    record("studio.logo_changed", actor=actor, studio_id=studio.id,
           subject=f"studio:{studio.id}", removed=data is None)
    return studio
