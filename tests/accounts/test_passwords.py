"""Passwords: 12 characters, not a common one, changed from /me/security (other sessions end,
the owner is emailed); sign-up and reset tell nobody whether an address has an account, in
what they say or in how long they take."""

import statistics
import time

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.passwords import is_common
from app.audit.models import AuditEvent
from app.core.mail import read_mailbox
from app.extensions import db
from tests.conftest import login
from tests.factories import UserFactory
from tests.pages import Page


def signed_in(client) -> bool:
    return client.get("/me/bookings").status_code == 200


def change(client, **data):
    return client.post("/me/security/password",
                       data={"current": "secret-pass", "password": "a-brand-new-phrase",
                             "confirm": "a-brand-new-phrase", **data})


def test_the_common_list_is_bundled_and_the_demo_password_is_not_on_it():
    assert is_common("password1234") and is_common("PASSWORD1234")
    assert not is_common("fitflow-demo") and not is_common("a-brand-new-phrase")


def test_changing_the_password_ends_the_other_sessions_and_tells_the_owner(app, client, jobs,
                                                                           run_jobs):
    user = UserFactory()
    phone = app.test_client()
    login(phone, user)
    login(client, user)
    old_pass_key = user.pass_key

    response = change(client)

    assert response.status_code == 303
    assert signed_in(client) and not signed_in(phone)
    db.session.expire_all()
    assert user.pass_key != old_pass_key  # a photographed member pass is void too
    [event] = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "password_change")).all()
    assert event.actor_id == user.id and "ip" in event.data
    run_jobs()
    [mail] = [m for m in read_mailbox() if m["To"] == user.email]
    assert mail["Subject"] == "Your FitFlow password was changed"
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": user.email,
                                      "password": "a-brand-new-phrase"}).status_code == 303


@pytest.mark.parametrize("lang, data, field, message", [
    ("en", {"current": "not-my-password"}, "current", "That is not your current password."),
    ("ar", {"current": "not-my-password"}, "current", "هذه ليست كلمة مرورك الحالية."),
    ("en", {"password": "short-one", "confirm": "short-one"}, "password",
     "Use at least 12 characters (and at most 128)."),
    ("ar", {"password": "short-one", "confirm": "short-one"}, "password",
     "استخدم 12 حرفًا على الأقل (و128 على الأكثر)."),
    ("en", {"password": "qwertyuiop123", "confirm": "qwertyuiop123"}, "password",
     "This password is one of the most common ones and is guessed first. Choose another, "
     "for example a few unrelated words."),
    ("en", {"confirm": "something-else-entirely"}, "confirm", "The passwords differ."),
])
def test_a_refused_change_is_a_translated_422_and_changes_nothing(app, client, jobs, lang,
                                                                  data, field, message):
    user = UserFactory()
    phone = app.test_client()
    login(phone, user)
    login(client, user)
    old_hash = user.password_hash

    response = client.post(f"/me/security/password?lang={lang}",
                           data={"current": "secret-pass", "password": "a-brand-new-phrase",
                                 "confirm": "a-brand-new-phrase", **data})

    assert response.status_code == 422
    assert message in Page(response).text(f"#{field}-error")
    db.session.expire_all()
    assert user.password_hash == old_hash and signed_in(phone) and jobs == []


# --- telling nobody who has an account ----------------------------------------------------------


def test_signing_up_with_a_taken_address_answers_exactly_as_a_new_one(app, jobs, run_jobs):
    taken = UserFactory(name="Old Owner")
    before = db.session.scalar(select(func.count()).select_from(User))
    answers = []
    for email in ("brand-new@example.com", taken.email):
        client = app.test_client()
        response = client.post("/signup", data={"name": "Someone", "email": email,
                                                "password": "long-enough-pass"})
        answers.append((response.status_code, response.headers["Location"],
                        Page(client.get("/login")).text(".flashes")))

    assert answers[0] == answers[1]
    assert db.session.scalar(select(func.count()).select_from(User)) == before + 1
    db.session.expire_all()
    assert taken.name == "Old Owner"  # nothing about the existing account changed
    run_jobs()
    notice = [m for m in read_mailbox() if m["To"] == taken.email][0]
    assert notice["Subject"] == "Someone tried to sign up with your email"


def _median_seconds(app, path: str, forms: list[dict], rounds: int) -> list[float]:
    """The median time of each form's POST, the forms taken in turn, `rounds` times."""
    times: list[list[float]] = [[] for _ in forms]
    for _round in range(rounds):
        for i, form in enumerate(forms):
            client = app.test_client()
            start = time.perf_counter()
            response = client.post(path, data=form(_round) if callable(form) else form)
            times[i].append(time.perf_counter() - start)
            assert response.status_code in (200, 303)
    return [statistics.median(t) for t in times]


@pytest.fixture
def real_hashing(app, monkeypatch):
    """argon2id with its production parameters, so the hash is what the time is made of."""
    monkeypatch.setitem(app.config, "PASSWORD_HASH", {})
    saved = app.extensions.pop("fitflow_hasher", None)
    yield
    app.extensions.pop("fitflow_hasher", None)
    if saved is not None:
        app.extensions["fitflow_hasher"] = saved


def test_sign_up_takes_as_long_for_a_taken_address_as_for_a_new_one(app, real_hashing):
    taken = UserFactory()
    new, old = _median_seconds(app, "/signup", [
        lambda n: {"name": "New", "email": f"new-{n}@example.com", "password": "long-enough-pass"},
        {"name": "Old", "email": taken.email, "password": "long-enough-pass"},
    ], rounds=7)
    assert abs(new - old) < 0.25 * max(new, old), (new, old)


def test_a_reset_request_takes_as_long_for_an_unknown_address(app):
    known = UserFactory()
    found, unknown = _median_seconds(app, "/reset", [{"email": known.email},
                                                     {"email": "nobody@example.com"}], rounds=15)
    assert abs(found - unknown) < 0.25 * max(found, unknown), (found, unknown)
