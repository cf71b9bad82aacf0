"""A person deleting their account, as the studios see it: refused while they are a studio's
only owner; else they leave every studio's staff, and every studio's record of them as a
customer goes (phone, emergency contact, birth date, tags), so the customer lists no longer
show them. Called through accounts' seam (app/accounts/services/deletion.py)."""

from sqlalchemy import delete, select

from app.core.i18n import translated
from app.extensions import db
from app.studios.errors import LastOwnerLeaving
from app.studios.models import Role, StaffRole, Studio, StudioCustomer
from app.studios.services import lock_studio, other_owners


def leave_studios(user, *, actor, now) -> None:
    """Refuse (LastOwnerLeaving) when `user` is any studio's only owner (each studio row locked,
    as `keep_an_owner` does); else drop their staff roles and the studios' records of them."""
    owned = db.session.scalars(
        select(Studio).join(StaffRole, StaffRole.studio_id == Studio.id)
        .where(StaffRole.user_id == user.id, StaffRole.role == Role.OWNER)
        .order_by(Studio.id)).all()
    for studio in owned:
        lock_studio(studio)
        if not other_owners(studio, user.id):
            raise LastOwnerLeaving(studio=translated(studio.name, studio.default_language))
    db.session.execute(delete(StaffRole).where(StaffRole.user_id == user.id))
    db.session.execute(delete(StudioCustomer).where(StudioCustomer.user_id == user.id))
