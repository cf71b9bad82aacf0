"""One studio with something of every kind, seen by its owner: also an operator, the coach of
its class and sessions, and a customer of their own studio. The whole-URL-map sweeps
(test_security, test_statements) walk every page with these samples; `grow_world` adds more of
everything the pages list."""

import uuid
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from app.accounts.services.links import issue_link
from app.appointments.models import Appointment
from app.bookings import services
from app.core.db import utcnow
from app.extensions import db
from app.memberships.models import Pass
from app.studios.models import Role
from app.studios.services import ensure_customer, operating, places
from tests.appointments.helpers import session_type
from tests.factories import (
    ClassFactory,
    ClassTypeFactory,
    StudioFactory,
    UserFactory,
    paid_order,
    staff,
)


def make_world() -> dict:
    """Studio A with an owner (also operator), a class, a type and the owner's own booking."""
    studio = StudioFactory()
    owner = staff(studio, Role.OWNER, is_operator=True)
    class_type = ClassTypeFactory(studio=studio)
    cls = ClassFactory(studio=studio, class_type_id=class_type.id, coach_id=owner.id)
    booking = services.book_class(studio, cls, owner, actor=owner)
    order, payment, invoice = paid_order(studio, owner, rendered=True)
    pass_ = db.session.scalar(select(Pass).where(Pass.order_id == order.id))
    appointment, window = own_appointment(studio, owner)
    training, logged = own_training(studio, owner)
    day = own_plan_day(studio, owner)
    room = places.add_room(studio, studio.default_location, actor=owner, name={"en": "Hall"},
                           capacity=20)
    invitation = operating.invite(studio, owner.email, Role.TRAINER, actor=owner)
    series = weekly_series(studio, class_type)
    return dict(studio=studio, owner=owner, class_type=class_type, cls=cls, booking=booking,
                order=order, payment=payment, invoice=invoice, pass_=pass_,
                appointment=appointment, window=window, training=training, logged=logged,
                day=day, room=room, invitation=invitation, series=series)


def weekly_series(studio, class_type):
    """A Sunday series without an end, starting next week (no clash with the world's class)."""
    from datetime import time, timedelta

    from app.schedule.queries import local_today
    from app.schedule.services import create_series

    return create_series(studio, class_type=class_type, location=studio.default_location,
                         weekdays=[7], start_time=time(5, 0), capacity=8,
                         starts_on=local_today(studio.timezone) + timedelta(days=8), ends_on=None)


def own_training(studio, owner):
    """A workout the owner coached themselves through, with one logged set."""
    import uuid

    from app.training.models import Exercise
    from app.training.services import sessions
    from app.training.services.library import seed_library

    seed_library()
    exercise = db.session.scalar(select(Exercise).where(Exercise.studio_id.is_(None)).limit(1))
    training = sessions.start_session(studio, owner, coach=owner)
    logged, _created = sessions.log_set(training, studio, set_id=str(uuid.uuid4()),
                                        exercise_id=exercise.id, position=0, reps=5,
                                        load=Decimal(40))
    return training, logged


def own_appointment(studio, owner):
    """The owner coaches 1:1 sessions (weekly hours, a session type) and has one booked."""
    from datetime import time, timedelta

    from app.appointments.models import Appointment, Availability
    from app.core.db import utcnow
    from tests.appointments.helpers import session_type

    location = studio.default_location
    window = Availability(studio_id=studio.id, coach_id=owner.id, location_id=location.id,
                          weekday=1, starts_at_local=time(7), ends_at_local=time(9))
    db.session.add(window)
    st = session_type(studio)
    starts = utcnow().replace(microsecond=0) + timedelta(days=2)
    appointment = Appointment(studio_id=studio.id, coach_id=owner.id, customer_id=owner.id,
                              session_type_id=st.id, location_id=location.id, starts_at=starts,
                              ends_at=starts + timedelta(hours=1))
    db.session.add(appointment)
    db.session.flush()
    return appointment, window


def own_plan_day(studio, owner):
    """The owner, a customer of their own studio, has a training plan; its first day has an
    exercise with its sets."""
    from app.studios.services import ensure_customer
    from app.training.services import plans
    from app.training.services.library import add_exercise

    ensure_customer(studio, owner)
    plan = plans.create_plan(studio, owner, title="Plan", weeks=2, days_per_week=2, actor=owner)
    day = plan.workouts[0]
    exercise = add_exercise(studio, name={"en": "Squat"}, cues={}, muscle_group="legs",
                            equipment="barbell")
    plans.add_workout_exercise(day, exercise, actor=owner)
    return day


def sample_values(world, lang="en") -> dict:
    return {"studio": world["studio"].slug, "class_id": world["cls"].id,
            "type_id": world["class_type"].id, "booking_id": world["booking"].id,
            "token": issue_link(world["owner"], "reset"), "lang": lang,
            "filename": "css/app.css", "plan_id": world["order"].plan_id,
            "order_id": world["order"].id, "payment_id": world["payment"].id,
            "invoice_id": world["invoice"].id, "pass_id": world["pass_"].id,
            "customer_id": world["owner"].id, "coach_id": world["owner"].id,
            "appointment_id": world["appointment"].id, "row_id": world["window"].id,
            "session_type_id": world["appointment"].session_type_id,
            "session_id": world["training"].id, "logged_set_id": world["logged"].id,
            "workout_id": world["day"].id, "item_id": world["day"].items[0].id,
            "set_id": world["day"].items[0].sets[0].id,
            "training_plan_id": world["day"].plan_id,
            "location_id": world["studio"].default_location_id, "room_id": world["room"].id,
            "invitation_token": operating.invitation_token(world["invitation"]),
            "studio_id": world["studio"].id, "series_id": world["series"].id,
            "invitation_id": world["invitation"].id, "member_id": staff_row(world).id}


def staff_row(world):
    """The owner's place on the world's staff (the staff page's rows)."""
    from app.studios.models import StaffRole

    return db.session.scalar(select(StaffRole).where(
        StaffRole.studio_id == world["studio"].id, StaffRole.user_id == world["owner"].id))


def grow_world(world: dict, n: int) -> None:
    """`n` more of everything a page of the world lists: customers with orders, invoices and
    passes, classes this week with their bookings (the world's class gets a waitlist), the
    owner's own bookings, orders, sessions and training, more staff, types and exercises."""
    from app.training.models import Exercise
    from app.training.services import plans, sessions

    studio, owner, cls, day = world["studio"], world["owner"], world["cls"], world["day"]
    exercises = db.session.scalars(select(Exercise).where(Exercise.studio_id.is_(None))
                                   .order_by(Exercise.id).limit(n)).all()
    now = utcnow().replace(microsecond=0)
    for i in range(n):
        customer = UserFactory()
        ensure_customer(studio, customer)
        staff(studio, Role.TRAINER)
        extra = ClassFactory(studio=studio, class_type_id=ClassTypeFactory(studio=studio).id,
                             coach_id=owner.id, hours_ahead=30 + 3 * i)
        for who in (customer, owner):
            services.book_class(studio, extra, who, actor=who)
        services.book_class(studio, cls, customer, actor=customer)  # then its waitlist
        paid_order(studio, customer, rendered=True)
        owes_and_noted(studio, customer, owner)
        paid_order(studio, owner, rendered=True)
        st = session_type(studio)
        for client in (customer, owner):
            starts = now + timedelta(days=3 + i, hours=2 * (client is owner))
            db.session.add(Appointment(
                studio_id=studio.id, coach_id=owner.id, customer_id=client.id,
                session_type_id=st.id, location_id=studio.default_location_id, starts_at=starts,
                ends_at=starts + timedelta(hours=1)))
        past = sessions.start_session(studio, customer, coach=owner,
                                      now=now - timedelta(days=i + 1))
        sessions.log_set(past, studio, set_id=str(uuid.uuid4()), exercise_id=exercises[i].id,
                         position=0, reps=5, load=Decimal(40), now=now - timedelta(days=i + 1))
        sessions.finish_session(past, now=now - timedelta(days=i + 1))
        sessions.log_set(world["training"], studio, set_id=str(uuid.uuid4()),
                         exercise_id=exercises[i].id, position=i + 1, reps=8, load=Decimal(50))
        plans.add_workout_exercise(day, exercises[i], actor=owner)
    db.session.flush()


def owes_and_noted(studio, customer, coach):
    """An order the customer still owes at the desk, and a coach's private note about them."""
    from app.billing.services.orders import place_order
    from app.clients.services import add_note
    from tests.factories import PlanFactory

    place_order(studio, PlanFactory(studio=studio, currency=studio.currency), customer,
                actor=customer)
    add_note(studio, customer, "Prefers mornings", actor=coach)
