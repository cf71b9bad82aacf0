"""A studio with one problem of each kind the record checks look for, and a way to fix each."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from app.billing.models import Invoice
from app.bookings.models import Booking, BookingStatus
from app.certificates.models import Certificate
from app.core.db import utcnow
from app.extensions import db
from app.memberships.models import CreditEntry, CreditReason, Pass
from app.quality.models import QualityFinding
from app.schedule.models import ClassStatus
from app.schedule.queries import local_today
from app.studios.models import Role, StudioCustomer
from tests.certificates.helpers import course_world
from tests.factories import ClassFactory, StudioFactory, UserFactory, paid_order, staff


@dataclass
class Troubled:
    studio: object
    owner: object
    twins: tuple
    cls: object
    booking: object
    pass_: object
    invoices: list
    certificate: object


def customer_of(studio, phone="", **user):
    person = UserFactory(**user)
    db.session.add(StudioCustomer(studio_id=studio.id, user_id=person.id, phone=phone))
    db.session.flush()
    return person


def troubled_studio(slug=None) -> Troubled:
    """One of each: twin customers (same phone), a confirmed booking in a cancelled class, a pass
    12 credits into the red, invoice 2 of 3 missing, a certificate expiring in ten days."""
    studio = StudioFactory(**({"slug": slug} if slug else {}))
    studio, owner, course, _classes = course_world(studio=studio)
    first = customer_of(studio, "+966 50 123 4567", name="Sara Ali")
    second = customer_of(studio, "+966 50 123 4567", name="Sarah Ali")
    cls = ClassFactory(studio=studio)
    booking = Booking(studio_id=studio.id, class_id=cls.id, customer_id=first.id,
                      status=BookingStatus.CONFIRMED)
    db.session.add(booking)
    db.session.flush()
    cls.status, cls.cancelled_at = ClassStatus.CANCELLED, utcnow()
    invoices = [paid_order(studio, customer_of(studio))[2] for _ in range(3)]
    pass_ = db.session.scalar(select(Pass).where(Pass.order_id == invoices[0].order_id))
    db.session.add(CreditEntry(studio_id=studio.id, pass_id=pass_.id, delta=-12,
                               reason=CreditReason.BOOKING))
    db.session.execute(delete(Invoice).where(Invoice.id == invoices[1].id))
    today = local_today(studio.timezone)
    certificate = Certificate(
        studio_id=studio.id, course_id=course.id, holder_id=second.id, holder_name=second.name,
        number=f"C-{secrets.token_hex(3)}", code=secrets.token_hex(6),
        issued_on=today - timedelta(days=300), expires_on=today + timedelta(days=10),
        locale="en", snapshot={})
    db.session.add(certificate)
    db.session.flush()
    return Troubled(studio, owner, (first, second), cls, booking, pass_,
                    [invoices[0], invoices[2]], certificate)


def fix_all(t: Troubled) -> None:
    """What staff would do: merge or tell the twins apart, cancel the booking, give the credits
    back, renumber (here: close) the invoice gap, renew the certificate."""
    link = db.session.scalar(select(StudioCustomer).where(
        StudioCustomer.studio_id == t.studio.id, StudioCustomer.user_id == t.twins[1].id))
    link.phone = "+966 50 999 9999"
    t.booking.status, t.booking.cancelled_at = BookingStatus.CANCELLED, utcnow()
    db.session.add(CreditEntry(studio_id=t.studio.id, pass_id=t.pass_.id, delta=12,
                               reason=CreditReason.RETURNED))
    t.invoices[1].sequence = 2
    t.certificate.expires_on = local_today(t.studio.timezone) + timedelta(days=365)
    db.session.flush()


def stored(studio) -> list[QualityFinding]:
    return db.session.scalars(select(QualityFinding).where(QualityFinding.studio_id == studio.id)
                              .order_by(QualityFinding.id)).all()


def desk(studio):
    return staff(studio, Role.FRONT_DESK)
