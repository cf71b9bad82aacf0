"""Changing how one signs in (a passkey, the authenticator app, recovery codes) asks a session
older than ten minutes to confirm it is them first (the password, or a passkey for people who
have none), is audited and is e-mailed to the owner in their language."""

import json

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.core.mail import read_mailbox
from app.extensions import db
from tests.accounts.authenticator import SoftAuthenticator
from tests.accounts.test_passkeys import add_passkey, passkeys_of, sign_in_options
from tests.accounts.test_reauth import go_stale
from tests.accounts.test_second_step import next_code, set_up_app
from tests.conftest import login
from tests.factories import UserFactory
from tests.pages import Page


@pytest.fixture(autouse=True)
def localhost(app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "http://localhost")


def actions(user) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.subject == f"user:{user.id}", AuditEvent.action.like("sign_in_method.%"))
        .order_by(AuditEvent.id)))


def told(jobs, user) -> list[str]:
    return [j[1][1] for j in jobs
            if j[0] == "workers.jobs.accounts.send_sign_in_changed" and j[1][0] == user.id]


def test_a_stale_session_confirms_before_adding_a_passkey_and_nothing_is_stored(client):
    user = UserFactory()
    login(client, user)
    go_stale(client)
    # The passkey script's fetch is told where to confirm (JSON, which it follows) ...
    asked = client.post("/me/security/passkeys/options", data={"name": "iPhone"},
                        headers={"Accept": "application/json",
                                 "Referer": "http://localhost/me/security"})
    assert asked.status_code == 401
    assert asked.get_json()["redirect"] == "/reauth?next=/me/security&why=second_factor"
    # ... and a form is sent there.
    form = client.post("/me/security/second-step/app")
    assert form.status_code == 303 and form.headers["Location"].startswith("/reauth")
    assert passkeys_of(user) == [] and actions(user) == []

    client.post("/reauth", data={"password": "secret-pass"})
    assert add_passkey(client, SoftAuthenticator()).status_code == 200
    assert [p.name for p in passkeys_of(user)] == ["iPhone"]


@pytest.mark.parametrize("lang, subject", [
    ("en", "How you sign in to FitFlow changed"),
    ("ar", "تغيّرت طريقة تسجيل دخولك إلى FitFlow")])
def test_every_change_is_audited_and_emailed_in_the_owners_language(client, jobs, run_jobs,
                                                                     lang, subject):
    user = UserFactory(locale=lang)
    login(client, user)
    add_passkey(client, SoftAuthenticator(), "iPhone")
    [passkey] = passkeys_of(user)
    client.post(f"/me/security/passkeys/{passkey.id}/remove")
    set_up_app(client, user)
    client.post("/me/security/second-step/recovery-codes")
    client.post("/me/security/second-step/remove")

    expected = ["passkey_added", "passkey_removed", "app_added", "recovery_codes_renewed",
                "second_step_removed"]
    assert actions(user) == [f"sign_in_method.{c}" for c in expected]
    assert told(jobs, user) == expected
    run_jobs()
    mails = [m for m in read_mailbox() if m["To"] == user.email]
    assert [m["Subject"] for m in mails] == [subject] * 5
    assert "/me/security" in mails[0].get_body(("plain",)).get_content()


def test_a_person_without_a_password_confirms_with_a_passkey(client):
    authenticator = SoftAuthenticator()
    options = client.post("/signup/passkey/options", data={"name": "Layla",
                                                           "email": "layla@example.com"})
    client.post("/signup/passkey", data={
        "credential": json.dumps(authenticator.create(options.get_json()))})
    client.post("/login/passkey", data={
        "credential": json.dumps(authenticator.get(sign_in_options(client)))})
    user = db.session.scalar(select(User).where(User.email == "layla@example.com"))
    go_stale(client)

    page = Page(client.get("/reauth?next=/me/security&why=second_factor"))
    assert not page.all("input[name=password]")
    form = page.one("form[data-passkey=step]")
    options = client.post(form.get("data-options"))
    assert options.status_code == 200
    confirmed = client.post(form.get("action"), data={
        "credential": json.dumps(authenticator.get(options.get_json()))})
    assert confirmed.status_code == 200 and confirmed.get_json() == {"redirect": "/me/security"}
    [passkey] = passkeys_of(user)
    removed = client.post(f"/me/security/passkeys/{passkey.id}/remove")
    assert removed.status_code == 303 and passkeys_of(user) == []


def test_another_persons_passkey_does_not_confirm(client):
    mine, theirs = SoftAuthenticator(), SoftAuthenticator()
    other = UserFactory()
    login(client, other)
    add_passkey(client, theirs)
    client.post("/logout")
    user = UserFactory()
    login(client, user)
    add_passkey(client, mine)
    go_stale(client)
    options = client.post("/reauth/passkey/options").get_json()
    refused = client.post("/reauth/passkey", data={
        "credential": json.dumps(theirs.get(options))})
    assert refused.status_code in (400, 403, 422) and "error" in refused.get_json()
    assert client.post("/me/security/second-step/app").headers["Location"].startswith(
        "/reauth")


def test_a_stale_session_confirms_with_the_apps_code_good_once(client):
    user = UserFactory()
    login(client, user)
    app_totp, _codes = set_up_app(client, user)
    go_stale(client)
    page = Page(client.get("/reauth?next=/me/security&why=second_factor"))
    assert page.one("form[action^='/reauth/code'] input[name=code]") is not None

    assert client.post("/reauth/code?next=/me/security", data={"code": "12345"}
                       ).status_code == 422
    assert client.post("/reauth/code?next=/me/security", data={"code": "000000"}
                       ).status_code == 422
    asked = client.post("/me/security/second-step/recovery-codes")
    assert asked.status_code == 303 and asked.headers["Location"].startswith("/reauth")

    code = next_code(app_totp)
    confirmed = client.post("/reauth/code?next=/me/security", data={"code": code})
    assert confirmed.status_code == 303 and confirmed.headers["Location"] == "/me/security"
    assert client.post("/me/security/second-step/recovery-codes").status_code == 200
    go_stale(client)
    assert client.post("/reauth/code?next=/me/security", data={"code": code}
                       ).status_code == 422  # a code is good once


@pytest.mark.parametrize("where", ["sign_in", "reauth"])
def test_a_reused_app_code_is_refused_audited_and_emailed(client, jobs, run_jobs, where):
    """ASVS 2.8.5: a code typed again within its half-minute is a sign someone saw it."""
    user = UserFactory()
    login(client, user)
    totp, _codes = set_up_app(client, user)
    code = next_code(totp)
    if where == "sign_in":
        client.post("/logout")
        login(client, user)
        assert client.post("/login/second-step", data={"code": code}).status_code == 303
        client.post("/logout")
        login(client, user)
        again = client.post("/login/second-step", data={"code": code})
    else:
        assert client.post("/reauth/code", data={"code": code}).status_code == 303
        again = client.post("/reauth/code", data={"code": code})
    wrong = client.post("/reauth/code" if where == "reauth" else "/login/second-step",
                        data={"code": "000000" if code != "000000" else "111111"})

    assert again.status_code == 422 and wrong.status_code == 422
    # Said like a wrong code; only the reuse is noted (a mistyped code is not).
    assert Page(again).text("#code-error") == Page(wrong).text("#code-error")
    assert actions(user)[-1] == "sign_in_method.code_reused"
    assert actions(user).count("sign_in_method.code_reused") == 1
    assert told(jobs, user)[-1] == "code_reused"
    run_jobs()
    [mail] = [m for m in read_mailbox() if m["To"] == user.email
              and "typed again" in m.get_body(("plain",)).get_content()]
    assert mail["Subject"] == "How you sign in to FitFlow changed"
