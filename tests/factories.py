"""factory_boy factories; everything flushes into the test's session."""

from datetime import time, timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.accounts.models import User
from app.core.db import utcnow
from app.core.security import hash_password
from app.extensions import db
from app.memberships.models import Plan, PlanKind, ValidityStart
from app.schedule.models import ClassType, ScheduledClass
from app.studios.models import Location, Role, Room, StaffRole, Studio
from app.studios.services import set_default_location


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731 (the test's current session)
        sqlalchemy_session_persistence = "flush"


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"Person {n}")
    password_hash = factory.LazyFunction(lambda: hash_password("secret-pass"))
    locale = None
    email_verified_at = factory.LazyFunction(utcnow)


class StudioFactory(Base):
    class Meta:
        model = Studio

    slug = factory.Sequence(lambda n: f"studio{n}")
    name = factory.LazyAttribute(lambda o: {"en": f"Studio {o.slug}", "ar": f"استوديو {o.slug}"})
    default_language = "en"
    cancel_cutoff_minutes = 12 * 60

    @factory.post_generation
    def location(obj, create, extracted, **kwargs):
        """The studio's first location, its default (`location__timezone=` and so on)."""
        LocationFactory(studio=obj, **{"timezone": "America/Toronto", **kwargs})


class LocationFactory(Base):
    class Meta:
        model = Location

    studio = factory.SubFactory(StudioFactory)
    studio_id = factory.SelfAttribute("studio.id")
    name = {"en": "Main", "ar": "الرئيسي"}
    timezone = "America/Toronto"
    currency = "CAD"

    @factory.post_generation
    def default(obj, create, extracted, **kwargs):
        """A studio's first location becomes its default, as app.studios.services does it."""
        if obj.studio.default_location_id is None:
            set_default_location(obj.studio, obj)


class RoomFactory(Base):
    class Meta:
        model = Room

    location = factory.SubFactory(LocationFactory)
    studio_id = factory.SelfAttribute("location.studio_id")
    location_id = factory.SelfAttribute("location.id")
    name = {"en": "Room", "ar": "غرفة"}


class ClassTypeFactory(Base):
    class Meta:
        model = ClassType

    studio_id = factory.LazyAttribute(lambda o: o.studio.id)
    name = {"en": "Strength", "ar": "القوة"}
    description = {"en": "Lift things.", "ar": "ارفع الأثقال."}

    class Params:
        studio = factory.SubFactory(StudioFactory)


class ClassFactory(Base):
    """A class tomorrow at the studio's default location."""

    class Meta:
        model = ScheduledClass

    class Params:
        studio = factory.SubFactory(StudioFactory)
        hours_ahead = 24

    studio_id = factory.LazyAttribute(lambda o: o.studio.id)
    class_type_id = factory.LazyAttribute(lambda o: ClassTypeFactory(studio=o.studio).id)
    location_id = factory.LazyAttribute(lambda o: o.studio.default_location_id)
    starts_at = factory.LazyAttribute(
        lambda o: (utcnow() + timedelta(hours=o.hours_ahead)).replace(second=0, microsecond=0))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))
    capacity = 5


def staff(studio, role: Role, **kwargs) -> User:
    user = UserFactory(**kwargs)
    db.session.add(StaffRole(studio_id=studio.id, user_id=user.id, role=role))
    db.session.flush()
    return user


NOON = time(12, 0)


class PlanFactory(Base):
    class Meta:
        model = Plan

    class Params:
        studio = factory.SubFactory(StudioFactory)

    studio_id = factory.LazyAttribute(lambda o: o.studio.id)
    kind = PlanKind.CLASS_PACK
    name = {"en": "10-class pack", "ar": "باقة 10 حصص"}
    description = {}
    price_minor = 20000
    currency = "CAD"
    credits = 10
    validity_days = 90
    validity_start = ValidityStart.PURCHASE


def paid_order(studio, customer, *, cashier=None, rendered: bool = False, **plan_fields):
    """A plan sold to `customer` and paid in cash at the desk: (order, payment, invoice).
    `rendered` stores stand-in PDF bytes on the invoice, as the render job would."""
    import hashlib

    from app.billing.models import PaymentMethod
    from app.billing.services.documents import invoice_of
    from app.billing.services.orders import place_order
    from app.billing.services.payments import record_payment

    plan = PlanFactory(studio=studio, currency=studio.currency, **plan_fields)
    order = place_order(studio, plan, customer, actor=customer)
    payment = record_payment(studio, order, amount_minor=order.gross_minor,
                             method=PaymentMethod.CASH, actor=cashier or customer)
    invoice = invoice_of(order)
    if rendered:
        invoice.pdf = b"%PDF-1.7 stand-in"
        invoice.pdf_sha256 = hashlib.sha256(invoice.pdf).hexdigest()
        db.session.flush()
    return order, payment, invoice
