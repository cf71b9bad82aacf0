"""A person deleting their account, as the studios' staff see it: their private notes about
the person are deleted in every studio. Called through accounts' seam
(app/accounts/services/deletion.py)."""

from sqlalchemy import delete

from app.clients.models import ClientNote
from app.extensions import db


def delete_notes_about(customer, *, actor, now) -> None:
    """Delete every studio's private notes about `customer`."""
    db.session.execute(delete(ClientNote).where(ClientNote.customer_id == customer.id)
                       .execution_options(synchronize_session=False))
