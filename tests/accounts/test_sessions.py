"""Sessions that end: a server-side record per signed-in browser, dead at logout, revoked from
/me/security, ended by a new password or by time; the cookie holds only a random token."""

from datetime import timedelta

import pytest
from flask_login.utils import encode_cookie
from sqlalchemy import select

from app.accounts.models import AuthSession
from app.audit.models import AuditEvent
from app.core.db import utcnow
from app.extensions import db
from app.studios.models import Role
from app.studios.services import grant_role
from tests.conftest import login
from tests.factories import StudioFactory, UserFactory, staff
from tests.pages import Page, text_of
from tests.sql import Statements

PHONE = {"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) "
                       "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/604.1"}
LAPTOP = {"User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                        "(KHTML, like Gecko) Chrome/131.0 Safari/537.36"}


def signed_in(client) -> bool:
    return client.get("/me/bookings").status_code == 200


def sessions_of(user) -> list[AuthSession]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuthSession).where(AuthSession.user_id == user.id)
                                   .order_by(AuthSession.id)))


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def browser(app, headers=None, address="203.0.113.7"):
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": address,
                                **{"HTTP_" + k.upper().replace("-", "_"): v
                                   for k, v in (headers or {}).items()}})
    return client


# --- the cookie and logout --------------------------------------------------------------------


def test_a_copied_cookie_is_dead_once_its_owner_signs_out(app, client):
    user = UserFactory()
    login(client, user)
    copied = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert signed_in(thief)  # the negative control: the copy works while the session lives

    assert client.post("/logout").status_code == 303

    assert not signed_in(thief)
    assert not signed_in(client)
    assert sessions_of(user) == []


def test_the_cookie_names_a_random_session_and_only_its_hash_is_stored(client):
    user = UserFactory()
    login(client, user)
    with client.session_transaction() as session:
        token = session["_user_id"]
    [row] = sessions_of(user)
    assert token not in (row.token_hash, str(user.id)) and len(row.token_hash) == 64
    assert "remember_token" not in {c.key for c in client._cookies.values()}


def test_a_remember_me_cookie_does_not_revive_a_session_that_ended(app, client):
    user = UserFactory()
    login(client, user)
    with client.session_transaction() as session:
        token = session["_user_id"]
    client.post("/logout")
    revived = app.test_client()
    with app.test_request_context():
        revived.set_cookie("remember_token", encode_cookie(token))  # as Flask-Login signs it

    assert not signed_in(revived)


def test_signing_in_again_does_not_end_the_other_devices(app):
    user = UserFactory()
    phone, laptop = browser(app, PHONE), browser(app, LAPTOP)
    login(phone, user)
    login(laptop, user)
    assert signed_in(phone) and signed_in(laptop)
    assert [s.device for s in sessions_of(user)] == ["Safari · iPhone", "Chrome · Windows"]
    assert {s.place for s in sessions_of(user)} == {"203.0.113.0/24"}


# --- time -------------------------------------------------------------------------------------


def _age(user, *, idle: timedelta, lifetime: timedelta | None = None) -> None:
    now = utcnow()
    for row in sessions_of(user):
        row.last_seen_at = now - idle
        row.created_at = now - (lifetime or idle)
    db.session.flush()


@pytest.mark.parametrize("who, idle, lifetime, alive", [
    ("customer", timedelta(days=29), None, True),
    ("customer", timedelta(days=30, minutes=1), None, False),
    ("customer", timedelta(days=1), timedelta(days=89, hours=23), True),
    ("customer", timedelta(minutes=5), timedelta(days=90, minutes=1), False),
    ("staff", timedelta(minutes=29), None, True),
    ("staff", timedelta(minutes=31), None, False),
    ("staff", timedelta(minutes=5), timedelta(hours=11, minutes=50), True),
    ("staff", timedelta(minutes=5), timedelta(hours=12, minutes=1), False),
    ("operator", timedelta(minutes=31), None, False),
])
def test_sessions_end_after_their_idle_time_and_their_whole_life(client, who, idle, lifetime,
                                                                 alive):
    if who == "staff":
        user = staff(StudioFactory(), Role.TRAINER)
    else:
        user = UserFactory(is_operator=who == "operator")
    login(client, user)
    [row] = sessions_of(user)
    assert row.kind == ("customer" if who == "customer" else "staff")

    _age(user, idle=idle, lifetime=lifetime)

    assert signed_in(client) is alive


def test_the_customer_limits_are_settings(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "CUSTOMER_SESSION_DAYS", 7)
    user = UserFactory()
    login(client, user)
    _age(user, idle=timedelta(hours=1), lifetime=timedelta(days=6, hours=23))
    assert signed_in(client)
    _age(user, idle=timedelta(hours=1), lifetime=timedelta(days=7, minutes=1))
    assert not signed_in(client)
    assert client.get("/me/security").status_code == 302  # to sign in again


def test_a_customer_made_staff_gets_the_staff_limits_at_once(client):
    studio = StudioFactory()
    user = UserFactory()
    login(client, user)
    _age(user, idle=timedelta(hours=2))
    assert signed_in(client)
    grant_role(studio, user, Role.TRAINER)
    _age(user, idle=timedelta(hours=2))
    assert not signed_in(client)


def test_last_seen_is_written_at_most_once_a_minute(client):
    user = UserFactory()
    login(client, user)
    [row] = sessions_of(user)
    recent = utcnow() - timedelta(seconds=30)
    row.last_seen_at = recent
    db.session.flush()

    reading = Statements()
    with reading.counting():
        assert client.get("/me/profile").status_code == 200
    quiet = reading.count
    assert sessions_of(user)[0].last_seen_at == recent

    row = sessions_of(user)[0]
    row.last_seen_at = utcnow() - timedelta(minutes=2)
    db.session.flush()
    with reading.counting():
        assert client.get("/me/profile").status_code == 200
    assert reading.count == quiet + 1  # the one UPDATE
    assert utcnow() - sessions_of(user)[0].last_seen_at < timedelta(seconds=10)


def test_finding_the_session_and_its_person_is_one_statement(client):
    login(client, UserFactory())
    # The profile page reads nothing else: the whole request is the session lookup.
    assert Statements().during(lambda: client.get("/me/profile")) == 1


# --- /me/security -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang, this_device", [("en", "This device"), ("ar", "هذا الجهاز")])
def test_the_security_page_lists_each_device_and_marks_this_one(app, lang, this_device):
    user = UserFactory()
    phone, laptop = browser(app, PHONE), browser(app, LAPTOP)
    login(phone, user)
    login(laptop, user)

    page = Page(laptop.get(f"/me/security?lang={lang}"))

    rows = page.all("#sessions .session-row")
    assert len(rows) == 2
    texts = [" ".join("".join(r.itertext()).split()) for r in rows]
    assert "Chrome · Windows" in texts[0] and "Safari · iPhone" in texts[1]
    assert [text_of(b) for b in page.all("#sessions .session-row .badge")] == [this_device]
    assert this_device in texts[0] and "203.0.113.0/24" in texts[1]
    assert page.all("form[action='/me/security/sessions/end-others']")
    profile = Page(laptop.get("/me/profile"))
    assert profile.all("a[href='/me/security']")


def test_signing_out_another_device_ends_it_and_is_audited(app):
    user = UserFactory()
    phone, laptop = browser(app, PHONE), browser(app, LAPTOP)
    login(phone, user)
    login(laptop, user)
    phone_session = sessions_of(user)[0]

    response = laptop.post(f"/me/security/sessions/{phone_session.id}/end")

    assert response.status_code == 303
    assert not signed_in(phone) and signed_in(laptop)
    [event] = events("session_revoked")
    assert (event.actor_id, event.data["device"], event.data["ip"]) == (
        user.id, "Chrome · Windows", "203.0.113.7")


def test_signing_out_another_device_with_htmx_answers_the_list(app):
    user = UserFactory()
    phone, laptop = browser(app, PHONE), browser(app, LAPTOP)
    login(phone, user)
    login(laptop, user)
    phone_session = sessions_of(user)[0]

    response = laptop.post(f"/me/security/sessions/{phone_session.id}/end",
                           headers={"HX-Request": "true"})

    assert response.status_code == 200
    page = Page(response)
    assert len(page.all("#sessions .session-row")) == 1
    assert "<html" not in response.get_data(as_text=True)  # the fragment alone


def test_another_persons_session_is_a_404_and_ends_nothing(app):
    owner, other = UserFactory(), UserFactory()
    mine, theirs = browser(app), browser(app)
    login(mine, owner)
    login(theirs, other)
    [their_session] = sessions_of(other)

    response = mine.post(f"/me/security/sessions/{their_session.id}/end")

    assert response.status_code == 404
    assert signed_in(theirs) and events("session_revoked") == []


def test_signing_out_all_other_devices_keeps_this_one(app):
    user = UserFactory()
    devices = [browser(app, PHONE), browser(app, LAPTOP), browser(app)]
    for device in devices:
        login(device, user)

    assert devices[1].post("/me/security/sessions/end-others").status_code == 303

    assert [signed_in(d) for d in devices] == [False, True, False]
    [event] = events("sessions_revoked")
    assert event.data["count"] == 2


def test_signing_out_this_device_from_the_list_signs_out(client):
    user = UserFactory()
    login(client, user)
    [row] = sessions_of(user)
    response = client.post(f"/me/security/sessions/{row.id}/end")
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert not signed_in(client)


# --- the cookie in production ----------------------------------------------------------------


def test_production_names_the_cookie_with_the_host_prefix(app, monkeypatch):
    from app.config import from_environment

    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    assert from_environment()["SESSION_COOKIE_NAME"] == "__Host-session"
    monkeypatch.setitem(app.config, "SESSION_COOKIE_NAME", "__Host-session")
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    client = app.test_client()
    user = UserFactory()

    response = client.post("/login", base_url="https://localhost",
                           data={"email": user.email, "password": "secret-pass"})

    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=") and "Secure" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie and "HttpOnly" in cookie


def test_the_member_pass_carries_nothing_of_the_session_or_the_links(app, client):
    from app.accounts import member_pass
    from app.accounts.services.links import issue_link

    user = UserFactory()
    login(client, user)
    with client.session_transaction() as session:
        token = session["_user_id"]
    link = issue_link(user, "reset")
    with app.test_request_context():
        pass_token = member_pass.make_token(user)
        assert member_pass.read_token(pass_token) == (user.id, user.pass_key[:8])
    for secret in (token, link):
        assert not any(secret[i:i + 8] in pass_token for i in range(len(secret) - 7))
