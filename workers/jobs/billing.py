from sqlalchemy import select

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.billing.services import suspension
from app.billing.stripe.inbox import apply_received
from app.extensions import db
from app.notifications.services import send_email
from app.studios.models import Role, StaffRole, Studio
from workers.jobs import job


@job
def apply_stripe_event(event_row_id: int) -> str | None:
    """Apply a stored Stripe event with all its effects (once: the row is locked and marked)."""
    return apply_received(event_row_id)


@job
def tell_owners_of_payment_change(event_id: int) -> int:
    """Email each owner of the studio that its payment settings or Stripe keys changed, who
    changed them and from where (never the values); once per owner and event."""
    event = db.session.get(AuditEvent, event_id)
    if event is None or event.studio_id is None:
        return 0
    studio = db.session.get(Studio, event.studio_id)
    actor = db.session.get(User, event.actor_id) if event.actor_id else None
    owners = db.session.scalars(select(User).join(StaffRole, StaffRole.user_id == User.id).where(
        StaffRole.studio_id == studio.id, StaffRole.role == Role.OWNER).order_by(User.id))
    sent = 0
    for owner in owners:
        sent += send_email(owner, "payment_settings_changed", dedup_key=f"paychange:{event.id}:"
                           f"{owner.id}", studio=studio, event=event, actor=actor)
    return sent


@job
def pause_studio_billing(studio_id: int) -> int:
    """The operator suspended the studio: its card subscriptions stop billing."""
    return suspension.pause_studio_billing(db.session.get(Studio, studio_id))


@job
def resume_studio_billing(studio_id: int) -> int:
    """The operator opened the studio again: its card subscriptions bill again."""
    return suspension.resume_studio_billing(db.session.get(Studio, studio_id))
