"""Write audit events; never read request state (the actor is passed in)."""

from app.audit.models import AuditEvent
from app.extensions import db


def record(action: str, *, actor, studio_id: int | None, subject: str, **data) -> AuditEvent:
    """Append one event: `action` done by `actor` on `subject`, with details."""
    event = AuditEvent(studio_id=studio_id,
                       actor_id=actor.id if actor else None, action=action, subject=subject,
                       data=data)
    db.session.add(event)
    db.session.flush()
    return event
