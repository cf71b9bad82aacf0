"""Studio use cases: link customers, set booking and money settings, grant staff roles."""


from sqlalchemy import bindparam, select

from app.core.db import insert_built_once, utcnow
from app.extensions import db
from app.studios.models import Role, StaffRole, Studio, StudioCustomer


@insert_built_once
def _link_customer(insert):
    return (insert(StudioCustomer)
            .values(studio_id=bindparam("studio_id"), user_id=bindparam("user_id"),
                    created_at=bindparam("created_at"))
            .on_conflict_do_nothing(index_elements=["studio_id", "user_id"]))


def ensure_customer(studio: Studio, user) -> None:
    """Make `user` a customer of `studio` if they are not one yet: one statement, and two
    transactions doing it at once (a double tap) both succeed."""
    db.session.execute(_link_customer(),
                       {"studio_id": studio.id, "user_id": user.id, "created_at": utcnow()})


def grant_role(studio: Studio, user, role: Role) -> StaffRole:
    """Give `user` a staff role in `studio` (replacing any role they had there)."""
    staff = db.session.scalar(
        select(StaffRole).where(StaffRole.studio_id == studio.id, StaffRole.user_id == user.id)
    )
    if staff is None:
        staff = StaffRole(studio_id=studio.id, user_id=user.id, role=role)
        db.session.add(staff)
    staff.role = role
    db.session.flush()
    return staff


def update_booking_policy(studio: Studio, **settings) -> Studio:
    """Change the studio's booking window, cancel cutoff, waitlist behaviour, language and the
    unit and stepper increment of training loads."""
    for key in ("booking_opens_days", "booking_closes_minutes", "cancel_cutoff_minutes",
                "waitlist_mode", "offer_hold_minutes", "default_language", "load_unit",
                "load_increment"):
        if key in settings:
            setattr(studio, key, settings[key])
    db.session.flush()
    return studio
