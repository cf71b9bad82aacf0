"""Passwords: 12 characters, not a common one, changed from /me/security (other sessions end,
the owner is emailed); sign-up and reset tell nobody whether an address has an account, in
what they say or in how long they take."""

import re
from unittest import mock

import pytest
from sqlalchemy import func, select

from app.accounts import services
from app.accounts.models import User
from app.accounts.passwords import is_common
from app.audit.models import AuditEvent
from app.core.mail import read_mailbox
from app.extensions import db
from tests.conftest import login
from tests.factories import UserFactory
from tests.pages import Page
from tests.sql import Statements


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


def _same_work(app, path: str, forms: list) -> list[tuple]:
    """For each form: the page a POST to `path` answers with, the SQL statements it sends and
    how many passwords it hashes. Equal work is what makes equal time: an attacker timing the
    answer learns nothing when every one of these is the same."""
    work = []
    for form in forms:
        with mock.patch.object(services, "hash_password",
                               wraps=services.hash_password) as hashing:
            with Statements().counting() as sql:
                response = app.test_client().post(path, data=form)
        assert response.status_code in (200, 303)
        page = (response.status_code, response.location,
                # Each visitor has a CSRF token of their own (a signed, dotted value).
                re.sub(r'"[\w-]+\.[\w-]+\.[\w-]{20,}"', '"token"', response.get_data(as_text=True)))
        work.append((page, sql.texts, hashing.call_count))
    return work


def test_sign_up_does_the_same_work_for_a_taken_address_as_for_a_new_one(app):
    taken = UserFactory()
    new, old = _same_work(app, "/signup", [
        {"name": "New", "email": "brand-new@example.com", "password": "long-enough-pass"},
        {"name": "Old", "email": taken.email, "password": "long-enough-pass"},
    ])
    assert new[0] == old[0]  # the same page
    assert new[2] == old[2] == 1  # one argon2id hash either way: that is the time
    # Only the new account's own row is written; the lookup is the same.
    assert new[1][0] == old[1][0]


def test_a_reset_request_does_the_same_work_for_an_unknown_address(app):
    known = UserFactory()
    found, unknown = _same_work(app, "/reset", [{"email": known.email},
                                                {"email": "nobody@example.com"}])
    assert found == unknown
    # The worker looks the address up, after the answer has gone.
    assert not any("users" in text for text in found[1])