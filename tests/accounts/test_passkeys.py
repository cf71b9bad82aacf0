"""Passkeys over HTTP with a software authenticator (tests/accounts/authenticator.py): add,
list, rename, remove; sign in with no e-mail typed; sign up without a password; and every
refusal (replay, wrong origin or RP id, another person's passkey, a malformed answer, a wrong
or expired challenge, staff without user verification) answered with its translated message
and status, with nothing stored."""

import json
from datetime import timedelta

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.accounts.factors import errors
from app.accounts.factors.models import AuthChallenge, Passkey
from app.accounts.models import User
from app.core.db import utcnow
from app.extensions import db
from app.studios.models import Role
from tests.accounts.authenticator import SoftAuthenticator
from tests.conftest import login
from tests.factories import StudioFactory, UserFactory, staff
from tests.pages import Page


@pytest.fixture(autouse=True)
def localhost(app, monkeypatch):
    """The test client's host is `localhost`: it is BASE_URL, so passkeys work here."""
    monkeypatch.setitem(app.config, "BASE_URL", "http://localhost")


def message(error, lang: str) -> str:
    with force_locale(lang):
        return str(error())


def passkeys_of(user) -> list[Passkey]:
    db.session.expire_all()
    return list(db.session.scalars(select(Passkey).where(Passkey.user_id == user.id)))


def add_passkey(client, authenticator, name="iPhone"):
    options = client.post("/me/security/passkeys/options", data={"name": name})
    assert options.status_code == 200, options.get_data(as_text=True)
    answer = authenticator.create(options.get_json()["publicKey"]
                                  if "publicKey" in options.get_json() else options.get_json())
    return client.post("/me/security/passkeys",
                       data={"credential": json.dumps(answer), "name": name})


def sign_in_options(client, lang="en"):
    response = client.post(f"/login/passkey/options?lang={lang}")
    assert response.status_code == 200
    return response.get_json()


def send_assertion(client, answer, lang="en"):
    return client.post(f"/login/passkey?lang={lang}", data={"credential": json.dumps(answer)})


def signed_in(client) -> bool:
    return client.get("/me/bookings").status_code == 200


def test_a_passkey_is_added_listed_renamed_and_removed(client):
    user = UserFactory()
    login(client, user)
    added = add_passkey(client, SoftAuthenticator(), "iPhone")
    assert added.status_code == 200 and added.get_json() == {"redirect": "/me/security"}
    [passkey] = passkeys_of(user)
    assert (passkey.name, passkey.sign_count, passkey.user_verified) == ("iPhone", 0, True)
    page = Page(client.get("/me/security"))
    assert "iPhone" in page.text() and "Not used yet" in page.text()

    renamed = client.post(f"/me/security/passkeys/{passkey.id}/rename",
                          data={f"passkey-{passkey.id}-name": "Work laptop"})
    assert renamed.status_code == 303
    assert "Work laptop" in Page(client.get("/me/security")).text()

    blank = client.post(f"/me/security/passkeys/{passkey.id}/rename?lang=ar",
                        data={f"passkey-{passkey.id}-name": "  "})
    assert blank.status_code == 422 and "Work laptop" == passkeys_of(user)[0].name

    removed = client.post(f"/me/security/passkeys/{passkey.id}/remove")
    assert removed.status_code == 303 and passkeys_of(user) == []


def test_sign_in_with_the_passkey_alone_then_a_replay_is_refused(client):
    user = UserFactory()
    authenticator = SoftAuthenticator()
    login(client, user)
    add_passkey(client, authenticator)
    client.post("/logout")
    assert not signed_in(client)

    options = sign_in_options(client)
    assert options["allowCredentials"] == []  # discoverable: no e-mail typed, nobody named
    answer = authenticator.get(options)
    response = send_assertion(client, answer)
    assert response.status_code == 200 and "redirect" in response.get_json()
    assert signed_in(client)
    with client.session_transaction() as session:
        assert abs(session["auth_at"] - utcnow().timestamp()) < 60
    [passkey] = passkeys_of(user)
    assert passkey.sign_count == 1 and passkey.last_used_at is not None

    client.post("/logout")
    replay = send_assertion(client, answer, "ar")  # the same answer, sent again
    assert replay.status_code == 409
    assert replay.get_json()["error"] == message(errors.ChallengeExpired, "ar")
    # A fresh challenge signed with a counter that went back: a cloned authenticator.
    cloned = send_assertion(client, authenticator.get(sign_in_options(client), counter=1))
    assert cloned.status_code == 403
    assert cloned.get_json()["error"] == message(errors.PasskeyRefused, "en")
    assert not signed_in(client)
    assert passkeys_of(user)[0].sign_count == 1


@pytest.mark.parametrize("bend", [{"origin": "http://evil.example"}, {"rp_id": "evil.example"},
                                  {"origin": "http://127.0.0.1:5000"}])
def test_an_answer_for_another_site_is_refused(client, bend):
    user = UserFactory()
    authenticator = SoftAuthenticator()
    login(client, user)
    add_passkey(client, authenticator)
    client.post("/logout")
    response = send_assertion(client, authenticator.get(sign_in_options(client, "ar"), **bend),
                              "ar")
    assert response.status_code == 403
    assert response.get_json()["error"] == message(errors.PasskeyRefused, "ar")
    assert not signed_in(client) and passkeys_of(user)[0].last_used_at is None


def test_registration_for_another_site_is_refused_and_nothing_is_stored(client):
    user = UserFactory()
    login(client, user)
    options = client.post("/me/security/passkeys/options", data={"name": "x"}).get_json()
    answer = SoftAuthenticator().create(options, origin="http://evil.example")
    response = client.post("/me/security/passkeys?lang=ar",
                           data={"credential": json.dumps(answer), "name": "x"})
    assert response.status_code == 403
    assert response.get_json()["error"] == message(errors.PasskeyRefused, "ar")
    assert passkeys_of(user) == []


def test_another_persons_passkey_is_refused_at_the_second_step(client, app):
    owner, other = UserFactory(), UserFactory()
    mine, theirs = SoftAuthenticator(), SoftAuthenticator()
    login(client, owner)
    add_passkey(client, mine)
    client.post("/logout")
    login(client, other)
    add_passkey(client, theirs)
    client.post("/logout")
    # The owner's password is right; the second step is asked of the owner (a verifying
    # passkey counts as one for staff who must): the other person's passkey does not pass it.
    app.config["SECOND_STEP_FOR_STAFF"] = True
    try:
        staff(StudioFactory(), Role.OWNER, email="boss@example.com")
        boss = db.session.scalar(select(User).where(User.email == "boss@example.com"))
        boss_key = SoftAuthenticator()
        login(client, boss)  # no second step yet: set it up with a passkey
        add_passkey(client, boss_key)
        client.post("/logout")
        assert login(client, boss).location.endswith("/login/second-step")
        options = client.post("/login/second-step/passkey/options").get_json()
        assert [c["id"] for c in options["allowCredentials"]] == [boss_key.get(options)["id"]]
        wrong = client.post("/login/second-step/passkey?lang=ar", data={
            "credential": json.dumps(theirs.get(options))})
        assert wrong.status_code == 403
        assert wrong.get_json()["error"] == message(errors.PasskeyUnknown, "ar")
        assert not signed_in(client)
    finally:
        app.config["SECOND_STEP_FOR_STAFF"] = False


def test_someone_elses_passkey_cannot_be_renamed_or_removed(client):
    owner, other = UserFactory(), UserFactory()
    login(client, owner)
    add_passkey(client, SoftAuthenticator(), "Mine")
    [passkey] = passkeys_of(owner)
    client.post("/logout")
    login(client, other)
    assert client.post(f"/me/security/passkeys/{passkey.id}/remove").status_code == 404
    assert client.post(f"/me/security/passkeys/{passkey.id}/rename",
                       data={f"passkey-{passkey.id}-name": "Taken"}).status_code == 404
    assert [p.name for p in passkeys_of(owner)] == ["Mine"]


@pytest.mark.parametrize("credential", [
    "not json", "{}", "[]", json.dumps({"id": "x", "rawId": "@@@", "type": "public-key",
                                         "response": {"clientDataJSON": "!!"}}),
    json.dumps({"id": "AA", "rawId": "AA", "type": "public-key",
                "response": {"clientDataJSON": "e30", "attestationObject": "AA"}}),
])
def test_a_malformed_answer_is_refused_with_nothing_stored(client, credential):
    user = UserFactory()
    login(client, user)
    client.post("/me/security/passkeys/options", data={"name": "x"})
    response = client.post("/me/security/passkeys?lang=ar",
                           data={"credential": credential, "name": "x"})
    assert response.status_code == 422
    assert response.get_json()["error"] == message(errors.PasskeyUnreadable, "ar")
    assert passkeys_of(user) == []
    client.post("/logout")
    signin = client.post("/login/passkey", data={"credential": credential})
    assert signin.status_code == 422 and not signed_in(client)


def test_an_expired_or_unknown_challenge_is_refused(client):
    user = UserFactory()
    authenticator = SoftAuthenticator()
    login(client, user)
    options = client.post("/me/security/passkeys/options", data={"name": "x"}).get_json()
    db.session.execute(update(AuthChallenge).values(expires_at=utcnow() - timedelta(seconds=1)))
    expired = client.post("/me/security/passkeys?lang=ar", data={
        "credential": json.dumps(authenticator.create(options)), "name": "x"})
    assert expired.status_code == 409
    assert expired.get_json()["error"] == message(errors.ChallengeExpired, "ar")
    made_up = dict(options, challenge="bm90LW91cnMtbm90LW91cnMtbm90LW91cnMtbm90LW91cnM")
    unknown = client.post("/me/security/passkeys", data={
        "credential": json.dumps(authenticator.create(made_up)), "name": "x"})
    assert unknown.status_code == 409 and passkeys_of(user) == []


def test_a_challenge_is_for_the_browser_it_was_given_to(client, app):
    user = UserFactory()
    authenticator = SoftAuthenticator()
    login(client, user)
    add_passkey(client, authenticator)
    options = sign_in_options(client)
    other_browser = app.test_client()
    stolen = send_assertion(other_browser, authenticator.get(options))
    assert stolen.status_code == 409 and not signed_in(other_browser)


def test_staff_passkeys_must_verify_the_person(client):
    coach = staff(StudioFactory(), Role.TRAINER)
    login(client, coach)
    options = client.post("/me/security/passkeys/options", data={"name": "x"}).get_json()
    assert options["authenticatorSelection"]["userVerification"] == "required"
    answer = SoftAuthenticator(verify=False).create(options)
    response = client.post("/me/security/passkeys?lang=ar",
                           data={"credential": json.dumps(answer), "name": "x"})
    assert response.status_code == 403
    assert response.get_json()["error"] == message(errors.VerificationRequired, "ar")
    assert passkeys_of(coach) == []


def test_a_change_of_backup_eligibility_is_refused(client):
    user = UserFactory()
    authenticator = SoftAuthenticator(backup=False)
    login(client, user)
    add_passkey(client, authenticator)
    client.post("/logout")
    authenticator.backup = True
    response = send_assertion(client, authenticator.get(sign_in_options(client)))
    assert response.status_code == 403 and not signed_in(client)


def test_backed_up_state_is_stored(client):
    user = UserFactory()
    login(client, user)
    add_passkey(client, SoftAuthenticator(backup=True))
    [passkey] = passkeys_of(user)
    assert passkey.backup_eligible and passkey.backed_up
    assert "Synced to your other devices" in Page(client.get("/me/security")).text()


def passkey_signup(client, authenticator, name: str, email: str):
    options = client.post("/signup/passkey/options", data={"name": name, "email": email})
    assert options.status_code == 200
    return client.post("/signup/passkey", data={
        "credential": json.dumps(authenticator.create(options.get_json()))})


def test_sign_up_with_a_passkey_and_no_password(client):
    authenticator = SoftAuthenticator()
    response = passkey_signup(client, authenticator, "Layla", "Layla@Example.com")
    # Like a sign-up with a password: no sign-in until the address is shown to be theirs.
    assert response.status_code == 200 and not signed_in(client)
    assert response.get_json()["redirect"].startswith("/login")
    user = db.session.scalar(select(User).where(User.email == "layla@example.com"))
    assert user.password_hash is None and len(passkeys_of(user)) == 1
    assert send_assertion(client, authenticator.get(sign_in_options(client))).status_code == 200
    assert signed_in(client)


def test_a_passkey_sign_up_for_a_taken_address_answers_the_same_and_stores_nothing(
        client, jobs):
    owner = UserFactory(email="layla@example.com")
    db.session.commit()
    fresh = passkey_signup(client, SoftAuthenticator(), "Nour", "nour@example.com")
    jobs.clear()
    taken = passkey_signup(client, SoftAuthenticator(), "Other", "Layla@example.com")
    assert taken.status_code == fresh.status_code == 200
    assert taken.get_json() == fresh.get_json() and not signed_in(client)
    assert db.session.scalar(select(func.count()).select_from(User)
                             .where(User.email == "layla@example.com")) == 1
    assert passkeys_of(owner) == []
    assert [(j[0], j[1]) for j in jobs] == [("workers.jobs.accounts.send_signup_notice",
                                             (owner.id,))]


def test_passkeys_on_an_ip_address_say_where_they_work(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "http://localhost:5000")
    page = Page(client.get("/login", base_url="http://127.0.0.1:5000"))
    assert page.one("[data-passkey-elsewhere] a").get("href").startswith("http://localhost:5000/")
    assert not page.all("form[data-passkey]")
    refused = client.post("/login/passkey/options", base_url="http://127.0.0.1:5000")
    assert refused.status_code == 409 and "http://localhost:5000" in refused.get_json()["error"]


def test_a_form_from_before_a_sign_out_gets_a_message_the_script_can_show(client, csrf):
    """Signed out in another tab after the login page loaded: the passkey script's fetch gets
    the expired-form message as JSON (what it shows), not an HTML page it cannot read."""
    response = client.post("/login/passkey/options?lang=ar", data={"csrf_token": "stale"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 400
    with force_locale("ar"):
        expected = _("Your session expired or the form was sent twice. "
                           "Please reload the page and try again.")
    assert response.get_json() == {"error": expected}
    page = client.post("/login/passkey/options", data={"csrf_token": "stale"})
    assert page.status_code == 400 and page.mimetype == "text/html"
