"""The front desk's demo data: phones and tags on each studio's record of its customers (Saudi
numbers in Riyadh, Toronto numbers there), and a customer added at the Riyadh desk without an
account (a phone, no email)."""

from sqlalchemy import select

from app.clients.services.customers import add_customer
from app.core.search import phone_key
from app.extensions import db
from app.studios.models import Studio, StudioCustomer

TAGS = {True: (["VIP"], ["صباحي"], [], ["طالب", "صباحي"], [], ["شركات"], []),
        False: (["VIP"], ["morning"], [], ["student", "morning"], [], ["corporate"], [])}
DESK_CUSTOMER = ("ريم الدوسري", "055 987 6543")


def _phone(saudi: bool, n: int) -> str:
    if saudi:
        return f"05{n % 10} {100 + n:03d} {4000 + n:04d}"
    return f"+1 416 555 {100 + n:04d}"


def seed_desk(studio: Studio, admin) -> None:
    """Contact details and tags for the customers who have none yet, and the desk-added
    customer in a Saudi studio (each once)."""
    saudi = studio.default_location.tax_jurisdiction == "SA"
    links = db.session.scalars(select(StudioCustomer).where(StudioCustomer.studio_id == studio.id)
                               .order_by(StudioCustomer.user_id)).all()
    for n, link in enumerate(links):
        if not link.phone:
            link.phone = _phone(saudi, n)
            link.tags = list(TAGS[saudi][n % len(TAGS[saudi])])
            if n % 3 == 0:
                link.emergency_contact = ("أبو فهد 050 000 0000" if saudi
                                          else "Sam (partner) +1 416 555 0199")
    db.session.flush()
    if not saudi:
        return
    name, phone = DESK_CUSTOMER
    known = db.session.scalar(select(StudioCustomer.id).where(
        StudioCustomer.studio_id == studio.id, StudioCustomer.phone_key == phone_key(phone)))
    if known is None:
        link = add_customer(studio, actor=admin, name=name, phone=phone)
        link.tags = ["زائرة"]
        db.session.flush()
