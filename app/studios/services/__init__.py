"""Studio use cases: create studios and their locations, link customers, set booking and money
settings, grant staff roles. Starting a studio, its places (locations and rooms), its profile
and the operator's hold on it live in the modules beside this one."""


from sqlalchemy import bindparam, func, select

from app.audit.services import record
from app.core.db import insert_built_once, utcnow
from app.core.errors import InvalidInput
from app.core.origin import Origin
from app.core.search import search_text
from app.extensions import db
from app.studios.errors import LastOwner
from app.studios.models import BILINGUAL, Location, Role, StaffRole, Studio, StudioCustomer


def default_first_weekday(tax_jurisdiction: str) -> int:
    """The day a studio's week starts on, from its country: Sunday in Saudi Arabia, else Monday."""
    return 7 if (tax_jurisdiction or "").split("-")[0] == "SA" else 1


def create_studio(*, location: dict, **fields) -> Studio:
    """Make a studio with its first location (`location`: the Location's fields), which is its
    default location. Its week starts on its country's first day, and its invoices speak its
    default language, or Arabic and English on one page when it sells under Saudi VAT (the
    Saudi norm), unless `fields` say otherwise."""
    fields.setdefault("first_weekday",
                      default_first_weekday(location.get("tax_jurisdiction", "")))
    if "invoice_language" not in fields:
        saudi = location.get("tax_jurisdiction") == "SA"
        fields["invoice_language"] = BILINGUAL if saudi else fields.get("default_language", "en")
    studio = Studio(**fields)
    db.session.add(studio)
    db.session.flush()
    add_location(studio, **location)
    return studio


def add_location(studio: Studio, **fields) -> Location:
    """Open a location of `studio`; a studio's first location becomes its default."""
    location = Location(studio=studio, studio_id=studio.id, **fields)
    db.session.add(location)
    db.session.flush()
    if studio.default_location_id is None:
        set_default_location(studio, location)
    return location


def set_default_location(studio: Studio, location: Location) -> Studio:
    """Make `location` the one that speaks for the studio as a whole (currency, time zone and
    tax jurisdiction of its settings, plans and fees)."""
    if location.studio_id != studio.id:
        raise InvalidInput()
    studio.default_location = location
    db.session.flush()
    return studio


@insert_built_once
def _link_customer(insert):
    return (insert(StudioCustomer)
            .values(studio_id=bindparam("studio_id"), user_id=bindparam("user_id"),
                    created_at=bindparam("created_at"), search=bindparam("search"))
            .on_conflict_do_nothing(index_elements=["studio_id", "user_id"]))


def ensure_customer(studio: Studio, user) -> None:
    """Make `user` a customer of `studio` if they are not one yet: one statement, and two
    transactions doing it at once (a double tap) both succeed. The record's search column
    starts from the user's name and email."""
    db.session.execute(_link_customer(),
                       {"studio_id": studio.id, "user_id": user.id, "created_at": utcnow(),
                        "search": search_text(user.name, user.email)})


def grant_role(studio: Studio, user, role: Role, *, actor=None,
               origin: Origin | None = None) -> StaffRole:
    """Give `user` a staff role in `studio` (replacing any role they had there); a change is
    audited with who made it, from where."""
    staff = db.session.scalar(
        select(StaffRole).where(StaffRole.studio_id == studio.id, StaffRole.user_id == user.id)
    )
    before = staff.role if staff is not None else None
    if before == Role.OWNER and role != Role.OWNER:
        keep_an_owner(studio, leaving=user.id)
    if staff is None:
        staff = StaffRole(studio_id=studio.id, user_id=user.id, role=role)
        db.session.add(staff)
    staff.role = role
    db.session.flush()
    if before != role:
        record("role_changed", actor=actor, studio_id=studio.id, subject=f"user:{user.id}",
               role=str(role), previous=str(before) if before else None,
               **(origin or Origin()).as_audit())
    return staff


def keep_an_owner(studio: Studio, *, leaving: int) -> None:
    """Refuse (LastOwner) when user `leaving` is the studio's only owner. The studio row is
    locked first, so two owners demoting each other at once can't both go."""
    lock_studio(studio)
    if not other_owners(studio, leaving):
        raise LastOwner()


def lock_studio(studio: Studio) -> None:
    """Hold the studio row until commit: changes to who owns it go one at a time."""
    db.session.execute(select(Studio.id).where(Studio.id == studio.id).with_for_update())


def other_owners(studio: Studio, user_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(StaffRole)
        .where(StaffRole.studio_id == studio.id, StaffRole.role == Role.OWNER,
               StaffRole.user_id != user_id))


BOOKING_SETTINGS = (
    "booking_opens_days", "booking_closes_minutes", "cancel_cutoff_minutes", "waitlist_mode",
    "offer_hold_minutes", "waitlist_cutoff_minutes", "free_late_cancels",
    "auto_waive_late_cancel", "max_upcoming_bookings", "first_weekday", "default_language",
    "load_unit", "load_increment", "reminder_hours", "coaches_set_own_hours")
NULLABLE_SETTINGS = ("max_upcoming_bookings",)


def update_booking_policy(studio: Studio, *, actor=None, **settings) -> Studio:
    """Change the studio's booking window, cancel cutoff, waitlist behaviour and cutoff, late
    cancels forgiven or waived, the cap on upcoming bookings (None: no cap), language and the
    first day of its week, the unit and stepper increment of training loads, the hours before a
    class its booked customers are reminded, and whether coaches set their own hours. Audited
    (each changed field)."""
    before = {key: getattr(studio, key) for key in BOOKING_SETTINGS}
    for key in BOOKING_SETTINGS:
        if settings.get(key) is not None or (key in NULLABLE_SETTINGS and key in settings):
            setattr(studio, key, settings[key])
    changed = [key for key in BOOKING_SETTINGS if before[key] != getattr(studio, key)]
    if changed:
        record("booking_settings_changed", actor=actor, studio_id=studio.id,
               subject=f"studio:{studio.id}", fields=changed)
    db.session.flush()
    return studio
