"""Client use cases: private notes by staff about a studio's customer."""

from app.audit.services import record
from app.clients.errors import EmptyNote, NoteTooLong
from app.clients.models import NOTE_MAX, ClientNote
from app.extensions import db


def add_note(studio, customer, body: str, *, actor) -> ClientNote:
    """Write a private note about `customer` in `studio`; the body is kept as typed."""
    body = (body or "").strip()
    if not body:
        raise EmptyNote()
    if len(body) > NOTE_MAX:
        raise NoteTooLong(max=NOTE_MAX)
    note = ClientNote(studio_id=studio.id, customer_id=customer.id, author_id=actor.id, body=body)
    db.session.add(note)
    db.session.flush()
    # The audit trail says a note was written, never what it says.
    record("client_note.added", actor=actor, studio_id=studio.id, subject=f"user:{customer.id}",
           note_id=note.id)
    return note
