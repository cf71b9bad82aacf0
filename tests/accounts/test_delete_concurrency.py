"""Two owners of one studio deleting their accounts at the same moment: one goes, the other is
told to hand the studio over first; never a studio without an owner. The negative control
shows the race is real without the lock on the studio row."""

import threading

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.services.deletion import delete_account
from app.extensions import db
from app.studios.errors import LastOwnerLeaving
from app.studios.models import Role, StaffRole
from app.studios.services import leaving
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


def _delete(user_id):
    return delete_account(db.session.get(User, user_id)).id


def owners(app, studio_id) -> int:
    with app.app_context():
        return len(db.session.scalars(select(StaffRole).where(
            StaffRole.studio_id == studio_id, StaffRole.role == Role.OWNER)).all())


def deleted(app, *user_ids) -> list[bool]:
    with app.app_context():
        return [db.session.get(User, i).deleted_at is not None for i in user_ids]


def test_two_owners_deleting_at_once_leave_one_owner(app, two_owners):
    studio_id, a, b = two_owners
    results, errors = run_at_once(app, _delete, [(a,), (b,)])
    assert len(results) == 1 and len(errors) == 1, errors
    assert isinstance(errors[0], LastOwnerLeaving)
    assert owners(app, studio_id) == 1
    assert sorted(deleted(app, a, b)) == [False, True]


def test_negative_control_without_the_lock_both_go(app, two_owners, monkeypatch):
    """Both count the other owner before either writes (a barrier makes sure of it): without
    the studio lock, both accounts go and the studio has no owner left."""
    studio_id, a, b = two_owners
    counted = threading.Barrier(2)
    count = leaving.other_owners

    def count_then_wait(studio, user_id):
        n = count(studio, user_id)
        counted.wait(timeout=30)
        return n

    monkeypatch.setattr(leaving, "lock_studio", lambda studio: None)
    monkeypatch.setattr(leaving, "other_owners", count_then_wait)
    results, errors = run_at_once(app, _delete, [(a,), (b,)])
    assert len(results) == 2, errors
    assert owners(app, studio_id) == 0
