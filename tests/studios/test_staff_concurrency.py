"""Two owners demoting each other at the same moment: one goes, the other is told the studio
needs an owner; never a studio without an owner. The negative control shows the race is real
without the lock on the studio row."""

import threading

import pytest
from sqlalchemy import select

from app.extensions import db
from app.studios import services
from app.studios.errors import LastOwner
from app.studios.models import Role, StaffRole, Studio
from app.studios.services.staff import change_role
from tests.concurrency import run_at_once
from tests.factories import StudioFactory, staff

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("concurrency")]


@pytest.fixture
def two_owners(app):
    with app.app_context():
        studio = StudioFactory()
        a, b = staff(studio, Role.OWNER), staff(studio, Role.OWNER)
        ids = studio.id, a.id, b.id
        db.session.commit()
    yield ids
    with app.app_context():
        db.engine.dispose()


def _demote(studio_id, actor_id, target_id):
    studio = db.session.get(Studio, studio_id)
    member = db.session.scalar(select(StaffRole).where(StaffRole.studio_id == studio_id,
                                                       StaffRole.user_id == target_id))
    actor = db.session.get(type(member.user), actor_id)
    return change_role(studio, member, Role.STUDIO_ADMIN, actor=actor).id


def owners(app, studio_id) -> int:
    with app.app_context():
        return len(db.session.scalars(select(StaffRole).where(
            StaffRole.studio_id == studio_id, StaffRole.role == Role.OWNER)).all())


def test_two_owners_demoting_each_other_leave_one_owner(app, two_owners):
    studio_id, a, b = two_owners
    results, errors = run_at_once(app, _demote, [(studio_id, a, b), (studio_id, b, a)])
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], LastOwner), errors
    assert owners(app, studio_id) == 1


def test_negative_control_without_the_lock_both_go(app, two_owners, monkeypatch):
    """Both count the other owner before either writes (a barrier makes sure of it): without
    the studio lock, both demotions commit and the studio has no owner left."""
    studio_id, a, b = two_owners
    counted = threading.Barrier(2)
    count = services.other_owners

    def count_then_wait(studio, user_id):
        n = count(studio, user_id)
        counted.wait(timeout=30)
        return n

    monkeypatch.setattr(services, "lock_studio", lambda studio: None)
    monkeypatch.setattr(services, "other_owners", count_then_wait)
    results, errors = run_at_once(app, _demote, [(studio_id, a, b), (studio_id, b, a)])
    assert len(results) == 2, errors
    assert owners(app, studio_id) == 0
