"""A sign-in from a device or place new to the account is audited and e-mailed to its owner, in
their language and zone (ASVS 2.2.3); a known device, the first sign-in and a reset link's
sign-in send nothing, and a sign-in in two steps is told once."""

import json
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select, update

from app.accounts.models import AuthSession, KnownDevice
from app.audit.models import AuditEvent
from app.core.db import utcnow
from app.core.i18n import format_datetime
from app.core.mail import read_mailbox
from app.extensions import db
from tests.accounts.authenticator import SoftAuthenticator
from tests.accounts.test_passkeys import add_passkey, send_assertion, sign_in_options
from tests.accounts.test_second_step import next_code, set_up_app
from tests.conftest import login
from tests.factories import UserFactory

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 " \
        "(KHTML, like Gecko) Version/17.0 Safari/604.1"
LAPTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) " \
         "Chrome/131.0 Safari/537.36"
NEW_SIGN_IN = "workers.jobs.accounts.send_new_sign_in"
SUBJECTS = {"en": "New sign-in to your FitFlow account",
            "ar": "تسجيل دخول جديد إلى حسابك في FitFlow"}


def browser(app, agent: str, address: str):
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": address, "HTTP_USER_AGENT": agent})
    return client


def told(jobs, user) -> int:
    """How many new-sign-in e-mails were queued for `user` (after commit)."""
    return sum(1 for func, args, _q, _at in jobs if func == NEW_SIGN_IN and args[0] == user.id)


def notices(user) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "sign_in_new_device", AuditEvent.subject == f"user:{user.id}")))


def mails_to(user):
    return [m for m in read_mailbox() if m["To"] == user.email]


@pytest.fixture
def known_laptop(app):
    """A person whose first sign-in was from their laptop at home (signed out again)."""
    def make(**fields):
        user = UserFactory(**fields)
        laptop = browser(app, LAPTOP, "203.0.113.7")
        login(laptop, user)
        laptop.post("/logout")
        return user
    return make


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_new_device_is_emailed_once_naming_it(app, jobs, run_jobs, known_laptop, lang):
    user = known_laptop(locale=lang, timezone="Asia/Riyadh")
    assert told(jobs, user) == 0

    phone = browser(app, PHONE, "198.51.100.20")
    login(phone, user)

    assert told(jobs, user) == 1
    [event] = notices(user)
    assert event.actor_id == user.id and event.data["device"] == "Safari · iPhone"
    assert event.data["place"] == "198.51.100.0/24" and event.data["ip"] == "198.51.100.20"
    run_jobs()
    [mail] = mails_to(user)
    assert mail["Subject"] == SUBJECTS[lang]
    text = mail.get_body(("plain",)).get_content()
    session = db.session.scalars(select(AuthSession).where(AuthSession.user_id == user.id)).one()
    with app.test_request_context(), force_locale(lang):
        when = format_datetime(session.created_at, "Asia/Riyadh")
    assert "Safari · iPhone" in text and "198.51.100.0/24" in text
    assert when in text and "Asia/Riyadh" in text
    assert "/me/security" in text and "/reset" in text
    html = mail.get_body(("html",)).get_content()
    assert "<bdi>Safari · iPhone</bdi>" in html


def test_the_same_device_and_network_again_sends_nothing(app, jobs, known_laptop):
    user = known_laptop()
    laptop = browser(app, LAPTOP, "203.0.113.99")  # another address on the home network

    login(laptop, user)

    assert told(jobs, user) == 0 and notices(user) == []


def test_a_known_browser_on_another_network_is_new(app, jobs, known_laptop):
    user = known_laptop()
    login(browser(app, LAPTOP, "192.0.2.5"), user)
    assert told(jobs, user) == 1


def test_the_first_sign_in_of_an_account_sends_nothing(app, jobs):
    user = UserFactory()
    login(browser(app, PHONE, "198.51.100.20"), user)
    assert told(jobs, user) == 0 and notices(user) == []
    assert db.session.scalars(select(KnownDevice.device)
                              .where(KnownDevice.user_id == user.id)).all() == ["Safari · iPhone"]


def test_a_device_unused_for_90_days_is_new_again(app, jobs, known_laptop):
    user = known_laptop()
    db.session.execute(update(KnownDevice).where(KnownDevice.user_id == user.id).values(
        last_signed_in_at=utcnow() - timedelta(days=91)))
    login(browser(app, LAPTOP, "203.0.113.7"), user)
    assert told(jobs, user) == 1


def test_a_sign_in_in_two_steps_is_told_once_after_the_second(app, jobs, known_laptop):
    user = known_laptop()
    laptop = browser(app, LAPTOP, "203.0.113.7")
    login(laptop, user)
    totp, _codes = set_up_app(laptop, user)

    phone = browser(app, PHONE, "198.51.100.20")
    assert login(phone, user).location == "/login/second-step"
    assert told(jobs, user) == 0  # the password alone signs nobody in: nothing to tell yet
    assert phone.post("/login/second-step", data={"code": next_code(totp)}).status_code == 303

    assert told(jobs, user) == 1 and len(notices(user)) == 1


def test_a_passkey_sign_in_from_a_new_device_is_told(app, jobs, known_laptop, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "http://localhost")
    user = known_laptop()
    laptop = browser(app, LAPTOP, "203.0.113.7")
    login(laptop, user)
    authenticator = SoftAuthenticator()
    add_passkey(laptop, authenticator)

    phone = browser(app, PHONE, "198.51.100.20")
    response = send_assertion(phone, authenticator.get(sign_in_options(phone)))

    assert response.status_code == 200 and "redirect" in json.loads(response.text)
    assert told(jobs, user) == 1


def test_a_reset_link_sign_in_is_told_by_the_password_email_alone(app, jobs, run_jobs,
                                                                  known_laptop):
    user = known_laptop()
    phone = browser(app, PHONE, "198.51.100.20")
    phone.post("/reset", data={"email": user.email})
    run_jobs()
    [text] = [m.get_body(("plain",)).get_content() for m in mails_to(user)]
    path = "/reset/" + text.split("/reset/")[1].split()[0]
    assert phone.post(path, data={"password": "a-brand-new-phrase",
                                  "confirm": "a-brand-new-phrase"}).status_code == 303

    assert told(jobs, user) == 0
    run_jobs()
    assert sorted(m["Subject"] for m in mails_to(user)) == [
        "Choose a new FitFlow password", "Your FitFlow password was changed"]
