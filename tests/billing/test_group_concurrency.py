"""Two groups of 6 race for the 10 places of a class on real connections: one group is booked
whole, the other refused whole (0 taken), never 6 + 4. With 4 places left, two groups of 6
that both chose "book the 4 free, waitlist the other 2" never overbook: one takes the 4 and
waitlists 2, the other is refused whole. The negative controls take the class lock away and
force the worst interleaving: both groups are booked and the class overbooked."""

import threading
import uuid

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.billing.errors import NotEnoughPlaces
from app.billing.models import GroupBooking, Order, PaymentMethod
from app.billing.services import groups
from app.bookings import services
from app.bookings.models import Booking, BookingStatus
from app.extensions import db
from app.memberships.models import Plan
from app.schedule.models import ScheduledClass
from app.studios.models import Role, Studio
from tests.concurrency import run_at_once
from tests.factories import ClassFactory, PlanFactory, StudioFactory, UserFactory, staff

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("concurrency")]


@pytest.fixture
def race(app):
    """A committed studio, a 10-place class, two contacts with 6 participants each."""
    with app.app_context():
        studio = StudioFactory(slug=f"groups-{uuid.uuid4().hex[:8]}")
        admin = staff(studio, Role.STUDIO_ADMIN)
        cls = ClassFactory(studio=studio, capacity=10, hours_ahead=48)
        plan = PlanFactory(studio=studio, credits=1, price_minor=2000, currency=studio.currency)
        teams = [(UserFactory().id, [u.id for u in UserFactory.create_batch(6)])
                 for _ in range(2)]
        db.session.commit()
        ids = studio.id, admin.id, cls.id, plan.id, teams
    yield ids
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def four_left(app, race):
    """The race's class with 6 of its 10 places taken by others (committed)."""
    studio_id, _admin, class_id, _plan, _teams = race
    with app.app_context():
        studio, cls = db.session.get(Studio, studio_id), db.session.get(ScheduledClass, class_id)
        for person in UserFactory.create_batch(6):
            services.book_class(studio, cls, person, actor=person)
        db.session.commit()
    return race


def _book(studio_id, admin_id, class_id, plan_id, contact_id, participant_ids, paid_by,
          confirm=None):
    studio = db.session.get(Studio, studio_id)
    people = [db.session.get(User, pid) for pid in participant_ids]
    group = groups.book_group(studio, db.session.get(ScheduledClass, class_id),
                              db.session.get(User, contact_id), people,
                              db.session.get(Plan, plan_id),
                              actor=db.session.get(User, admin_id), paid_by=paid_by,
                              confirm=confirm)
    return group.id


def rush(app, race, paid_by, confirm=None):
    studio_id, admin_id, class_id, plan_id, teams = race
    return run_at_once(app, lambda contact, people: _book(studio_id, admin_id, class_id,
                                                          plan_id, contact, people, paid_by,
                                                          confirm),
                       teams)


def outcome(app, race, status=BookingStatus.CONFIRMED):
    _studio_id, _admin, class_id, _plan, teams = race
    with app.app_context():
        booked = db.session.execute(
            select(Booking.customer_id).where(Booking.class_id == class_id,
                                              Booking.status == status)).scalars()
        booked = set(booked)
        per_team = [len(booked & set(people)) for _contact, people in teams]
        orders = db.session.scalar(select(func.count()).select_from(Order)
                                   .where(Order.customer_id.in_([c for c, _p in teams])))
        groups_made = db.session.scalar(select(func.count()).select_from(GroupBooking)
                                        .where(GroupBooking.class_id == class_id))
    return sorted(per_team), orders, groups_made


@pytest.mark.parametrize("paid_by", [PaymentMethod.CASH, None], ids=["paid", "owed"])
def test_two_groups_of_six_for_ten_places_one_booked_whole_the_other_refused_whole(app, race,
                                                                                   paid_by):
    results, errors = rush(app, race, paid_by)
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], NotEnoughPlaces)
    with app.app_context():
        assert "Only 4 of the 6 places are free" in str(errors[0])
    assert outcome(app, race) == ([0, 6], 1, 1)  # never [4, 6]; one order, one group


def test_negative_control_without_the_class_lock_the_groups_overbook(app, race, monkeypatch):
    """Owed at the desk: a paid group's invoice number would queue the two groups by itself."""
    readers = threading.Barrier(2)

    def no_lock(cls):
        """Read the spots taken as lock_class does, without the lock; both groups have read
        before either inserts."""
        db.session.refresh(cls)
        taken = services.spots_taken(cls)
        readers.wait(timeout=30)
        return taken

    monkeypatch.setattr(groups, "lock_class", no_lock)
    results, errors = rush(app, race, None)
    assert errors == [] and len(results) == 2
    per_team, orders, _groups = outcome(app, race)
    assert per_team == [6, 6] and orders == 2  # 12 booked into 10 places: what the lock stops


def confirmed_in(app, race):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Booking).where(
            Booking.class_id == race[2], Booking.status == BookingStatus.CONFIRMED))


@pytest.mark.parametrize("paid_by", [PaymentMethod.CASH, None], ids=["paid", "owed"])
def test_two_groups_waitlisting_the_rest_of_four_free_places_never_overbook(app, four_left,
                                                                            paid_by):
    results, errors = rush(app, four_left, paid_by, confirm=4)
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], NotEnoughPlaces)
    with app.app_context():
        assert "Only 0 of the 6 places are free" in str(errors[0])
    assert outcome(app, four_left) == ([0, 4], 1, 1)
    assert outcome(app, four_left, BookingStatus.WAITLISTED)[0] == [0, 2]
    assert confirmed_in(app, four_left) == 10


def test_negative_control_waitlisting_the_rest_without_the_class_lock_overbooks(app, four_left,
                                                                                 monkeypatch):
    readers = threading.Barrier(2)

    def no_lock(cls):
        db.session.refresh(cls)
        taken = services.spots_taken(cls)
        readers.wait(timeout=30)
        return taken

    monkeypatch.setattr(groups, "lock_class", no_lock)
    results, errors = rush(app, four_left, None, confirm=4)
    assert errors == [] and len(results) == 2
    assert outcome(app, four_left)[0] == [4, 4]
    assert confirmed_in(app, four_left) == 14  # 14 booked into 10 places: what the lock stops
