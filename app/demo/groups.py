"""Demo data for the desk's groups and duplicates: a company contact (Riyadh: a local company,
elsewhere a Toronto one) whose team of three is booked into a coming class with free places,
paid at the desk; and, in Riyadh, a second account of the desk-added customer (same phone) for
the duplicates page. Each made once."""

from datetime import timedelta

from sqlalchemy import select

from app.billing.models import GroupBooking, PaymentMethod
from app.clients.services.customers import add_customer
from app.clients.services.groups import book_group_for
from app.core.db import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.memberships.models import Plan, PlanKind
from app.schedule.models import ClassStatus, ScheduledClass
from app.studios.models import Studio

COMPANY = {
    True: ("هالة العتيبي", "hala@nakheel.example", "شركة النخيل للتجارة",
           "الرياض، طريق الملك فهد · الرقم الضريبي 300000000000003",
           [("Yousef Al-Harbi", "yousef@nakheel.example"), ("نورة السبيعي", "0551230001"),
            ("Fahad Al-Qahtani", "fahad@nakheel.example")]),
    False: ("Priya Shah", "priya@maplecorp.example", "Maple Corp Inc.",
            "100 King St W, Toronto ON · HST 123456789RT0001",
            [("Liam Chen", "liam@maplecorp.example"), ("Ava Martin", "+1 416 555 7001"),
             ("Noah Singh", "noah@maplecorp.example")]),
}
DUPLICATE = ("ريم الدوسرى", "reem.d@example.com", "0559876543")


def _free_class(studio: Studio, places: int) -> ScheduledClass | None:
    class_id = db.session.scalar(
        select(ScheduledClass.id).where(
            ScheduledClass.studio_id == studio.id, ScheduledClass.status == ClassStatus.SCHEDULED,
            ScheduledClass.starts_at > utcnow() + timedelta(days=2),
            ScheduledClass.capacity - ScheduledClass.spots_taken >= places)
        .order_by(ScheduledClass.starts_at).limit(1))
    return db.session.get(ScheduledClass, class_id) if class_id else None


def seed_groups(studio: Studio, admin) -> None:
    saudi = studio.default_location.tax_jurisdiction == "SA"
    if saudi:
        name, email, phone = DUPLICATE
        if db.session.scalar(select(GroupBooking.id).where(GroupBooking.studio_id == studio.id)
                             .limit(1)) is None:
            add_customer(studio, actor=admin, name=name, email=email, phone=phone)
    if db.session.scalar(select(GroupBooking.id).where(GroupBooking.studio_id == studio.id)
                         .limit(1)) is not None:
        return
    contact_name, contact_email, company, billing, team = COMPANY[saudi]
    link = add_customer(studio, actor=admin, name=contact_name, email=contact_email)
    link.company_name, link.billing_details = company, billing
    plan = db.session.scalar(select(Plan).where(Plan.studio_id == studio.id, Plan.active,
                                                Plan.kind == PlanKind.DROP_IN).limit(1))
    cls = _free_class(studio, len(team))
    if plan is None or cls is None:
        return
    people = [{"name": n, "email": reach if "@" in reach else None,
               "phone": "" if "@" in reach else reach} for n, reach in team]
    try:
        with db.session.begin_nested():
            book_group_for(studio, cls, link.user, people, plan, actor=admin,
                           paid_by=PaymentMethod.CASH)
    except DomainError:
        pass  # the demo's timetable left no class with room: the contact stays, no group
