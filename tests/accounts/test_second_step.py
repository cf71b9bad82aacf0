"""The second step: an authenticator app (TOTP) set up by QR with its key shown, ten recovery
codes shown once and kept hashed; sign-in asks for a code after the password; owners, studio
admins and operators set one up before their console; an operator resets a lost one, audited."""

import re
import time

import pyotp
import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.accounts.factors import errors
from app.accounts.factors.models import RecoveryCode, TotpSecret
from app.audit.models import AuditEvent
from app.extensions import db
from app.studios.models import Role
from tests.conftest import login
from tests.factories import StudioFactory, UserFactory, staff
from tests.pages import Page


@pytest.fixture
def required(app, monkeypatch):
    """Staff must have a second step (the other features' tests turn it off)."""
    monkeypatch.setitem(app.config, "SECOND_STEP_FOR_STAFF", True)


def message(error, lang: str) -> str:
    with force_locale(lang):
        return str(error())


def signed_in(client) -> bool:
    return client.get("/me/bookings").status_code == 200


def field_error(response) -> str:
    return Page(response).text("#code-error")


def set_up_app(client, user) -> tuple[pyotp.TOTP, list[str]]:
    """Turn the authenticator app on through the pages; its TOTP and the codes shown."""
    assert client.post("/me/security/second-step/app").status_code == 303
    page = Page(client.get("/me/security/second-step/app"))
    secret = page.text("#totp-secret").replace(" ", "")
    assert page.one("img.qr").get("src").startswith("data:image/svg+xml")
    totp = pyotp.TOTP(secret)
    shown = client.post("/me/security/second-step/app/confirm", data={"code": totp.now()})
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    codes = [li.strip() for li in re.findall(r"<code>([a-z0-9-]+)</code>", shown.text)]
    return totp, codes


def next_code(totp: pyotp.TOTP) -> str:
    """The code of the next 30 s step (accepted for clock drift): the set-up used this one's,
    and a code is good once."""
    return totp.at(time.time() + 30)


def test_the_app_is_set_up_and_the_codes_are_shown_once_and_kept_hashed(client):
    user = UserFactory()
    login(client, user)
    _totp, codes = set_up_app(client, user)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = db.session.scalars(select(RecoveryCode.code_hash)
                                .where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10
    assert not any(code.replace("-", "") in h for code in codes for h in stored)
    page = Page(client.get("/me/security"))
    assert "10 recovery codes left." in page.text() and not re.search(codes[0], page.html)


def test_a_wrong_code_at_set_up_leaves_the_app_off(client):
    user = UserFactory()
    login(client, user)
    client.post("/me/security/second-step/app")
    wrong = client.post("/me/security/second-step/app/confirm?lang=ar", data={"code": "000000"})
    assert wrong.status_code == 422 and field_error(wrong) == message(errors.WrongCode, "ar")
    secret = db.session.scalar(select(TotpSecret).where(TotpSecret.user_id == user.id))
    assert secret.confirmed_at is None
    assert db.session.scalars(select(RecoveryCode)
                              .where(RecoveryCode.user_id == user.id)).all() == []


def test_sign_in_asks_for_the_code_after_the_password(client):
    user = UserFactory()
    login(client, user)
    totp, _codes = set_up_app(client, user)
    client.post("/logout")

    assert login(client, user).location == "/login/second-step"
    assert not signed_in(client)  # the password alone signs nobody in
    bad = client.post("/login/second-step?lang=ar", data={"code": "123456"})
    assert bad.status_code == 422 and field_error(bad) == message(errors.WrongCode, "ar")
    assert not signed_in(client)
    code = next_code(totp)
    assert client.post("/login/second-step", data={"code": code}).status_code == 303
    assert signed_in(client)
    with client.session_transaction() as session:
        assert session["auth_at"] and session["second_step"]

    client.post("/logout")
    login(client, user)
    reused = client.post("/login/second-step", data={"code": code})  # the same 30 s code
    assert reused.status_code == 422 and not signed_in(client)


def test_a_recovery_code_works_once(client):
    user = UserFactory()
    login(client, user)
    _totp, codes = set_up_app(client, user)
    client.post("/logout")
    login(client, user)
    assert client.post("/login/second-step", data={"code": codes[3].upper()}).status_code == 303
    assert signed_in(client)
    client.post("/logout")
    login(client, user)
    again = client.post("/login/second-step?lang=ar", data={"code": codes[3]})
    assert again.status_code == 422
    assert field_error(again) == message(errors.WrongRecoveryCode, "ar")
    assert not signed_in(client)
    assert client.post("/login/second-step", data={"code": codes[4]}).status_code == 303
    assert "8 recovery codes left." in Page(client.get("/me/security?lang=en")).text()


def test_a_sign_in_left_half_way_expires(client):
    user = UserFactory()
    login(client, user)
    totp, _codes = set_up_app(client, user)
    client.post("/logout")
    login(client, user)
    with client.session_transaction() as session:
        pending = dict(session["second_step_pending"])
        session["second_step_pending"] = pending | {"at": pending["at"] - 301}
    late = client.post("/login/second-step", data={"code": next_code(totp)})
    assert late.status_code == 303 and late.location == "/login"
    assert not signed_in(client)


@pytest.mark.parametrize("role", [Role.OWNER, Role.STUDIO_ADMIN])
def test_managers_set_up_a_second_step_before_their_console(client, required, role):
    studio = StudioFactory()
    manager = staff(studio, role)
    console = f"/manage/{studio.slug}/"
    signed = login(client, manager)
    assert signed.location.startswith("/me/security?next=")  # set-up forced at sign-in
    refused = client.get(console)
    assert refused.status_code == 303 and refused.location.startswith("/me/security?next=")
    page = Page(client.get(refused.location))
    assert "Set up a second step to open your console." in page.text()
    set_up_app(client, manager)
    assert client.get(console).status_code == 200


def test_a_trainer_is_not_asked(client, required):
    studio = StudioFactory()
    trainer = staff(studio, Role.TRAINER)
    assert login(client, trainer).location == "/coach/"


def test_an_operator_sets_one_up_too_and_resets_a_lost_one(client, app, required):
    studio = StudioFactory()
    owner = staff(studio, Role.OWNER)
    login(client, owner)
    set_up_app(client, owner)
    client.post("/logout")

    operator = UserFactory(is_operator=True)
    login(client, operator)
    assert client.get("/operator/").status_code == 303
    set_up_app(client, operator)
    assert client.get("/operator/").status_code == 200
    reset = client.post("/operator/second-step/reset", data={"email": owner.email})
    assert reset.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(TotpSecret).where(TotpSecret.user_id == owner.id)) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "second_step.reset"))
    assert (event.actor_id, event.subject) == (operator.id, f"user:{owner.id}")
    unknown = client.post("/operator/second-step/reset", data={"email": "nobody@example.com"})
    assert unknown.status_code == 303  # flashed "not found", nothing audited
    assert len(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "second_step.reset")).all()) == 1


def test_staff_cannot_turn_their_required_second_step_off(client, required):
    studio = StudioFactory()
    owner = staff(studio, Role.OWNER)
    login(client, owner)
    set_up_app(client, owner)
    client.post("/me/security/second-step/remove")
    db.session.expire_all()
    assert db.session.scalar(select(TotpSecret).where(TotpSecret.user_id == owner.id))


def test_others_may_turn_it_off(client):
    user = UserFactory()
    login(client, user)
    set_up_app(client, user)
    assert client.post("/me/security/second-step/remove").status_code == 303
    client.post("/logout")
    assert login(client, user).location != "/login/second-step"


def test_a_session_that_has_not_passed_the_step_is_asked_for_it_at_the_console(client,
                                                                              required):
    studio = StudioFactory()
    owner = staff(studio, Role.OWNER)
    login(client, owner)
    totp, _codes = set_up_app(client, owner)
    with client.session_transaction() as session:  # e.g. signed in before the role was given
        session.pop("second_step")
    console = f"/manage/{studio.slug}/"
    asked = client.get(console)
    assert asked.status_code == 303 and asked.location.startswith("/login/second-step?next=")
    passed = client.post(asked.location, data={"code": next_code(totp)})
    assert passed.status_code == 303 and passed.location == console
    assert client.get(console).status_code == 200
