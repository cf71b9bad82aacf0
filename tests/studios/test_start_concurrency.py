"""Several people starting a studio at the same web address at once: one gets it, the others
are told it is taken (a 422 on the form), never a 500 from the unique index."""

import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.extensions import db
from app.studios.errors import SlugTaken
from app.studios.models import Studio
from app.studios.services import create_studio
from app.studios.services.starting import start_studio
from tests.concurrency import run_at_once
from tests.factories import UserFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("concurrency")]
N = 4


@pytest.fixture
def people(app):
    with app.app_context():
        ids = [u.id for u in UserFactory.create_batch(N)]
        db.session.commit()
    yield ids
    with app.app_context():
        db.engine.dispose()


def _start(slug, uid):
    owner = db.session.get(User, uid)
    return start_studio(actor=owner, owner=owner, name={"en": "Race"}, slug=slug, country="SA",
                        province=None, location_name={"en": "Main"}, address="",
                        timezone="Asia/Riyadh", default_language="en").id


def studios_at(app, slug) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Studio)
                                 .where(Studio.slug == slug))


def test_one_of_four_simultaneous_starts_gets_the_address(app, people):
    slug = f"race-{uuid.uuid4().hex[:8]}"
    results, errors = run_at_once(app, lambda uid: _start(slug, uid), [(u,) for u in people])
    assert len(results) == 1, errors
    assert len(errors) == N - 1 and all(isinstance(e, SlugTaken) for e in errors), errors
    assert studios_at(app, slug) == 1


def test_negative_control_without_start_studio_the_losers_hit_the_unique_index(app, people):
    """Creating the studio without start_studio's handling: the losers of the race fail on the
    unique index (IntegrityError, a 500 in a view). The race is real; start_studio is what
    turns it into SlugTaken."""
    slug = f"race-{uuid.uuid4().hex[:8]}"

    def create(uid):
        return create_studio(slug=slug, name={"en": "Race"}, location={
            "name": {"en": "Main"}, "timezone": "Asia/Riyadh", "currency": "SAR"}).id

    results, errors = run_at_once(app, create, [(u,) for u in people])
    assert len(results) == 1
    assert len(errors) == N - 1 and all(isinstance(e, IntegrityError) for e in errors), errors
