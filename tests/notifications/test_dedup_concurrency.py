"""Two senders of the same message at once (two workers running a job twice, a sweep and a
retry): real concurrent PostgreSQL transactions, one message out."""

import threading
import uuid

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import notify, sending
from tests.concurrency import run_at_once
from tests.factories import UserFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("concurrency")]


@pytest.fixture
def person(app):
    with app.app_context():
        user = UserFactory(email=f"dedup-{uuid.uuid4().hex[:8]}@example.com")
        db.session.commit()
        yield user.id, user.email


def _send(user_id, key):
    return notify(db.session.get(User, user_id), "password_changed", dedup_key=key)


def _logged(app, key):
    with app.app_context():
        return db.session.scalar(select(func.count()).where(Notification.dedup_key == key))


def test_two_concurrent_senders_send_once(app, mail_server, person):
    user_id, email = person
    key = f"twice:{uuid.uuid4().hex}"
    results, errors = run_at_once(app, _send, [(user_id, key)] * 2)
    assert errors == []
    assert sorted(results) == [False, True]
    assert len(mail_server.to(email)) == 1
    assert _logged(app, key) == 1


def test_negative_control_check_then_send_sends_twice(app, mail_server, person, monkeypatch):
    """Without the claim on the unique key (look first, then send), both look before either
    writes, and the person gets the message twice: what the claim prevents."""
    user_id, email = person
    key = f"twice:{uuid.uuid4().hex}"
    both_looked = threading.Barrier(2)
    claim = sending.claim

    def look_then_claim(channel, address, payload, *, dedup_key, now, **fields):
        taken = db.session.scalar(select(Notification.id)
                                  .where(Notification.dedup_key == dedup_key))
        both_looked.wait(timeout=30)
        if taken is not None:
            return None
        return claim(channel, address, payload, dedup_key=None, now=now, **fields)

    monkeypatch.setattr(sending, "claim", look_then_claim)
    results, errors = run_at_once(app, _send, [(user_id, key)] * 2)
    assert errors == [] and results == [True, True]
    assert len(mail_server.to(email)) == 2
