"""A studio's own message texts: saved and reset per kind and language, audited. The form
checked the placeholders (app/notifications/forms.py: MessageTextForm)."""
from app.audit.services import record
from app.extensions import db
from app.notifications.models import MessageText
from app.notifications.texts import saved_text


def save_message_text(studio, kind: str, locale: str, *, subject: str, body: str,
                      actor) -> MessageText:
    """Use `subject` and `body` for `kind` in `locale` from now on, in place of the default."""
    row = saved_text(studio.id, kind, locale)
    if row is None:
        row = MessageText(studio_id=studio.id, kind=kind, locale=locale)
        db.session.add(row)
    row.subject, row.body, row.updated_by_id = subject, body, actor.id
    db.session.flush()
    record("message_text.saved", actor=actor, studio_id=studio.id,
           subject=f"message:{kind}:{locale}", text_subject=subject, text_body=body)
    return row


def reset_message_text(studio, kind: str, locale: str, *, actor) -> bool:
    """Go back to the default text for `kind` in `locale`; False when it was the default."""
    row = saved_text(studio.id, kind, locale)
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    record("message_text.reset", actor=actor, studio_id=studio.id,
           subject=f"message:{kind}:{locale}")
    return True
