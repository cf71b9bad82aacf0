"""Two groups of 3 race for a 2-session course with 4 places a session, on real connections:
one group is booked in both sessions, the other refused whole (nothing in either session).
The sessions are locked in id order; the negative control locks them in opposite orders for
the two groups, each holding its first session when it asks for the second: PostgreSQL finds
a deadlock, which the fixed order never lets happen."""

import threading
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app.accounts.models import User
from app.billing.errors import SessionFull
from app.billing.services import course_groups
from app.bookings.models import Booking, BookingStatus
from app.certificates.models import Course
from app.certificates.services.courses import save_course
from app.extensions import db
from app.memberships.models import Plan
from app.studios.models import Role, Studio
from tests.concurrency import run_at_once
from tests.factories import (
    ClassFactory,
    ClassTypeFactory,
    PlanFactory,
    StudioFactory,
    UserFactory,
    staff,
)

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("concurrency")]


@pytest.fixture
def race(app):
    with app.app_context():
        studio = StudioFactory(slug=f"course-{uuid.uuid4().hex[:8]}")
        admin = staff(studio, Role.STUDIO_ADMIN)
        kind = ClassTypeFactory(studio=studio)
        classes = [ClassFactory(studio=studio, class_type_id=kind.id, capacity=4,
                                hours_ahead=48 + 24 * i) for i in range(2)]
        course = save_course(studio, actor=admin, name={"en": "Course"},
                             class_type_id=kind.id, min_sessions=2, title={}, body={})
        plan = PlanFactory(studio=studio, credits=1, price_minor=2000, currency=studio.currency)
        teams = [(UserFactory().id, [u.id for u in UserFactory.create_batch(3)])
                 for _ in range(2)]
        db.session.commit()
        ids = dict(studio=studio.id, admin=admin.id, course=course.id, plan=plan.id,
                   classes=[c.id for c in classes], teams=teams)
    yield ids
    with app.app_context():
        db.engine.dispose()


def _book(ids, contact_id, people_ids):
    groups = course_groups.book_course_group(
        db.session.get(Studio, ids["studio"]), db.session.get(Course, ids["course"]),
        db.session.get(User, contact_id), [db.session.get(User, p) for p in people_ids],
        db.session.get(Plan, ids["plan"]), actor=db.session.get(User, ids["admin"]))
    return [g.class_id for g in groups]


def per_team(app, ids):
    """For each team: its participants confirmed in each session."""
    with app.app_context():
        out = []
        for _contact, people in ids["teams"]:
            out.append([db.session.scalar(select(func.count()).select_from(Booking).where(
                Booking.class_id == cls, Booking.customer_id.in_(people),
                Booking.status == BookingStatus.CONFIRMED)) for cls in ids["classes"]])
        return sorted(out)


def test_two_groups_for_one_course_one_booked_in_every_session_the_other_in_none(app, race):
    results, errors = run_at_once(app, lambda contact, people: _book(race, contact, people),
                                  race["teams"])
    assert len(results) == 1 and len(errors) == 1, errors
    assert isinstance(errors[0], SessionFull)
    assert results[0] == sorted(race["classes"])
    assert per_team(app, race) == [[0, 0], [3, 3]]  # never 3 + 1 in a session, never half


def test_negative_control_sessions_locked_in_opposite_orders_deadlock(app, race, monkeypatch):
    """Each group holds its first session's lock when it asks for the other's."""
    held = threading.Barrier(2)
    mine = threading.local()
    sessions, take = course_groups.course_sessions, course_groups.take_places

    def opposite_orders(studio, course, now, *, limit):
        found = sessions(studio, course, now, limit=limit)
        return list(reversed(found)) if mine.reverse else found

    def take_then_wait(*args, **kwargs):
        result = take(*args, **kwargs)
        if not getattr(mine, "waited", False):
            mine.waited = True
            held.wait(timeout=30)
        return result

    monkeypatch.setattr(course_groups, "course_sessions", opposite_orders)
    monkeypatch.setattr(course_groups, "take_places", take_then_wait)

    def book(contact, people, reverse):
        mine.reverse = reverse
        return _book(race, contact, people)

    (a_contact, a_people), (b_contact, b_people) = race["teams"]
    results, errors = run_at_once(app, book, [(a_contact, a_people, False),
                                              (b_contact, b_people, True)])
    # The two wait on each other: PostgreSQL breaks the cycle (a deadlock), or the bounded
    # wait of a statement inside it (a summary row the first booking locked) gives up first.
    deadlocks = [e for e in errors if isinstance(e, OperationalError)
                 and getattr(e.orig, "sqlstate", None) in ("40P01", "55P03", "57014")]
    assert len(deadlocks) == 1, errors
