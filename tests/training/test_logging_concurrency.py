"""The same set sent twice at once (a double tap, or a queued replay racing the original) from
separate connections is saved once; a negative control shows ids made per request double it."""

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select

from app.extensions import db
from app.studios.models import Role, Studio, StudioCustomer
from app.training.models import Exercise, LoggedSet, TrainingSession
from app.training.services import sessions
from app.training.services.library import seed_library
from tests.concurrency import run_at_once
from tests.factories import StudioFactory, UserFactory, staff

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("concurrency")]


@pytest.fixture
def session_ids(app):
    with app.app_context():
        seed_library()
        studio = StudioFactory(slug=f"log-{uuid.uuid4().hex[:8]}")
        coach, client = staff(studio, Role.TRAINER), UserFactory()
        db.session.add(StudioCustomer(studio_id=studio.id, user_id=client.id))
        session = sessions.start_session(studio, client, coach=coach)
        bench = db.session.scalar(select(Exercise).where(Exercise.studio_id.is_(None)).limit(1))
        db.session.commit()
        ids = studio.id, session.id, bench.id
    yield ids
    with app.app_context():
        db.session.execute(delete(LoggedSet).where(LoggedSet.session_id == ids[1]))
        db.session.commit()
        db.engine.dispose()


def send_twice(app, session_ids, set_id_for):
    studio_id, session_id, exercise_id = session_ids

    def tap(attempt):
        studio = db.session.get(Studio, studio_id)
        session = db.session.get(TrainingSession, session_id)
        logged, created = sessions.log_set(session, studio, set_id=set_id_for(attempt),
                                           exercise_id=exercise_id, position=0, reps=8,
                                           load=Decimal(60))
        return logged.id, created

    results, errors = run_at_once(app, tap, [(i,) for i in range(2)])
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(LoggedSet)
                                  .where(LoggedSet.session_id == session_id))
    return results, errors, count


def test_two_concurrent_sends_of_one_set_save_it_once(app, session_ids):
    set_id = str(uuid.uuid4())
    results, errors, count = send_twice(app, session_ids, lambda attempt: set_id)
    assert errors == [] and count == 1
    assert sorted(created for _id, created in results) == [False, True]
    assert {logged_id for logged_id, _c in results} == {set_id}


def test_negative_control_ids_made_per_request_log_the_set_twice(app, session_ids):
    results, errors, count = send_twice(app, session_ids, lambda attempt: str(uuid.uuid4()))
    assert errors == [] and count == 2

