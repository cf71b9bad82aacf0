"""Sign up, verification email, sign in and out, password reset, rate limit, profile, language."""

import re
from urllib.parse import urlsplit

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.accounts import throttle
from app.accounts.models import AccountLink, User
from app.accounts.services.links import issue_link
from app.core.errors_views import MESSAGES
from app.core.mail import read_mailbox
from app.extensions import db
from tests.conftest import login
from tests.factories import UserFactory
from tests.pages import Page

INVALID_LINK = "This link is invalid or has expired. Please ask for a new one."
COMMON = ("This password is one of the most common ones and is guessed first. Choose another, "
          "for example a few unrelated words.")


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def mail_to(address: str):
    """The newest message in the dev mailbox addressed to `address`."""
    for message in read_mailbox():
        if message["To"] == address:
            return message
    raise AssertionError(f"no mail to {address}")


def link_in(message, path: str) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"http://fitflow\.test" + path + r"\S+", text)
    assert match, text
    return urlsplit(match.group(0)).path


def signed_in(client) -> bool:
    return client.get("/me/bookings").status_code == 200


def field_errors(response, name: str) -> list[str]:
    """The messages under one field (one element, so aria-describedby reaches them all)."""
    return [e.text for e in Page(response).all(f"#{name}-error .field-error")]


# --- sign up and email verification ----------------------------------------------------------


SIGNED_UP = ("Thank you! We sent a message to that address: open it to confirm, then sign in "
             "with your password.")


def test_sign_up_sends_a_verification_link_that_works(client, jobs, run_jobs):
    response = client.post("/signup", data={"name": "Nora", "email": "Nora@Example.com",
                                            "password": "long-enough-pass"})

    assert response.status_code == 303 and response.headers["Location"] == "/login"
    user = db.session.scalar(select(User).where(User.email == "nora@example.com"))
    assert user is not None and not user.is_verified
    assert SIGNED_UP in Page(client.get("/login")).text(".flashes")
    assert not signed_in(client)  # the same answer as for a taken address: sign in next
    assert [(j[0], j[1]) for j in jobs] == [("workers.jobs.accounts.send_verification",
                                             (user.id,))]
    login(client, user, "long-enough-pass")

    run_jobs()
    message = mail_to("nora@example.com")
    assert message["Subject"] == "Confirm your email for FitFlow"
    link = link_in(message, "/verify/")

    response = client.get(link)

    assert response.status_code in (302, 303)
    assert reload(user).is_verified
    assert "Thank you, your email is confirmed." in Page(
        client.get(response.headers["Location"])).text(".flashes")
    again = client.get(link)  # single use
    assert again.status_code == 400 and INVALID_LINK in Page(again).text("main")


def test_a_tampered_verification_link_is_refused(client):
    user = UserFactory(email_verified_at=None)
    token = issue_link(user, "verify")

    response = client.get(f"/verify/{token[:-3]}abc")

    assert response.status_code == 400
    assert INVALID_LINK in Page(response).text("main")
    assert not reload(user).is_verified


@pytest.mark.parametrize("data, field, message", [
    ({"email": "not-an-email"}, "email", "Invalid email address."),
    ({"password": "elevenchars"}, "password", "Use at least 12 characters (and at most 128)."),
    ({"password": "x" * 129}, "password", "Use at least 12 characters (and at most 128)."),
    ({"password": "Password1234"}, "password", COMMON),
    ({"name": "   "}, "name", "This field is required."),
])
def test_sign_up_with_bad_input_shows_the_field_error_and_writes_nothing(client, jobs, data,
                                                                         field, message):
    UserFactory(email="taken@example.com")
    before = user_count()
    form = {"name": "Nora", "email": "nora@example.com", "password": "long-enough-pass", **data}

    response = client.post("/signup", data=form)

    assert response.status_code == 422
    assert field_errors(response, field) == [message]
    assert user_count() == before
    assert jobs == []
    assert not signed_in(client)


# --- sign in and out -------------------------------------------------------------------------


@pytest.mark.parametrize("email, password", [
    ("{email}", "wrong-password"),
    ("nobody@example.com", "secret-pass"),
])
def test_wrong_credentials_get_one_message(client, email, password):
    user = UserFactory()

    response = client.post("/login", data={"email": email.format(email=user.email),
                                           "password": password})

    assert response.status_code == 422
    assert field_errors(response, "password") == ["That email and password do not match."]
    assert not signed_in(client)


def test_right_password_signs_in_with_303(client):
    user = UserFactory()
    response = client.post("/login", data={"email": user.email.upper(),
                                           "password": "secret-pass"})
    assert response.status_code == 303
    assert signed_in(client)


@pytest.mark.parametrize("target, lands_on", [
    ("/me/bookings", "/me/bookings"),
    ("//evil.example", "/"),
    ("https://evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("/\t/evil.example", "/"),
    ("/\n/evil.example", "/"),
])
def test_after_sign_in_only_local_pages_are_followed(client, target, lands_on):
    user = UserFactory()
    response = client.post("/login", data={"email": user.email, "password": "secret-pass",
                                           "next": target})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert urlsplit(location).netloc in ("", "localhost")
    assert urlsplit(location).path == lands_on


def test_sign_in_starts_a_fresh_session(client):
    user = UserFactory()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by-an-attacker"
    before = client.get_cookie("session").value

    login(client, user)

    assert client.get_cookie("session").value != before
    with client.session_transaction() as session:
        assert "planted" not in session
        token = session["_user_id"]  # names the session record, never the user
    assert str(user.id) not in token and len(token) >= 43


def test_logout_is_post_only(client):
    login(client, UserFactory())

    response = client.get("/logout")
    assert response.status_code == 405
    assert "That action is not available here." in Page(response).text("main")
    assert signed_in(client)

    assert client.post("/logout").status_code == 303
    assert not signed_in(client)


# --- password reset ---------------------------------------------------------------------------


def request_reset(client, email: str):
    response = client.post("/reset", data={"email": email})
    assert response.status_code == 200
    return Page(response).text("main .alert")


def test_reset_request_says_the_same_for_unknown_and_known_addresses(client, jobs, run_jobs):
    user = UserFactory()

    unknown = request_reset(client, "nobody@example.com")
    known = request_reset(client, user.email.upper())

    assert unknown == known
    assert "If an account exists for that address" in known
    # The same work either way (one job with the address); the job finds the account.
    assert [(j[0], j[1]) for j in jobs] == [
        ("workers.jobs.accounts.send_password_reset", ("nobody@example.com",)),
        ("workers.jobs.accounts.send_password_reset", (user.email,))]
    assert [sent for _job, _args, sent in run_jobs()] == [False, True]
    sent_to = [m["To"] for m in read_mailbox()]
    assert user.email in sent_to and "nobody@example.com" not in sent_to


def test_reset_request_with_a_malformed_address_is_422(client, jobs):
    response = client.post("/reset", data={"email": "nope"})
    assert response.status_code == 422
    assert field_errors(response, "email") == ["Invalid email address."]
    assert jobs == []


def test_reset_link_works_once_and_signs_out_other_sessions(app, client, run_jobs):
    user = UserFactory()
    elsewhere = app.test_client()  # e.g. the phone left signed in
    login(elsewhere, user)
    request_reset(client, user.email)
    run_jobs()
    link = link_in(mail_to(user.email), "/reset/")
    assert client.get(link).status_code == 200
    new = {"password": "brand-new-pass", "confirm": "brand-new-pass"}

    response = client.post(link, data=new)

    assert response.status_code == 303
    assert signed_in(client)
    assert not signed_in(elsewhere)
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": user.email,
                                      "password": "secret-pass"}).status_code == 422
    assert fresh.post("/login", data={"email": user.email,
                                      "password": "brand-new-pass"}).status_code == 303

    again = app.test_client().post(link, data={"password": "another-pass-1",
                                               "confirm": "another-pass-1"})
    assert again.status_code == 400
    assert INVALID_LINK in Page(again).text("main")
    # Opening the used link again says so at once, before any password is typed.
    opened = app.test_client().get(link)
    assert opened.status_code == 400 and INVALID_LINK in Page(opened).text("main")
    assert not Page(opened).all("input[type=password]")


def _expired_token(user) -> str:
    token = issue_link(user, "reset")
    link = db.session.scalar(select(AccountLink).where(AccountLink.user_id == user.id))
    link.expires_at = link.created_at
    db.session.flush()
    return token


def _for_an_old_address(user) -> str:
    token = issue_link(user, "reset")
    user.email = f"new-{user.email}"
    db.session.flush()
    return token


@pytest.mark.parametrize("spoil", [
    _expired_token,
    lambda user: issue_link(user, "reset")[:-4] + "AAAA",
    lambda user: issue_link(user, "verify"),  # a link for another purpose
    _for_an_old_address,
    lambda user: "A" * 200,
])
def test_expired_or_tampered_reset_link_is_400_and_changes_nothing(client, spoil):
    user = UserFactory()
    old_hash = user.password_hash

    response = client.post(f"/reset/{spoil(user)}",
                           data={"password": "brand-new-pass", "confirm": "brand-new-pass"})

    assert response.status_code == 400
    assert INVALID_LINK in Page(response).text("main")
    assert reload(user).password_hash == old_hash
    assert not signed_in(client)


def test_reset_with_mismatched_passwords_is_422(client):
    user = UserFactory()
    response = client.post(f"/reset/{issue_link(user, 'reset')}",
                           data={"password": "brand-new-pass", "confirm": "other-pass-1"})
    assert response.status_code == 422
    assert field_errors(response, "confirm") == ["The passwords differ."]


# --- rate limit -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_eleventh_login_in_a_minute_is_refused_in_the_users_language(app, client,
                                                                        rate_limit, lang,
                                                                        monkeypatch):
    """The per-address limit (per account too: test_throttle.py), apart from the account's
    own delays, which are turned off here."""
    monkeypatch.setattr(throttle, "FREE", 100)
    user = UserFactory()
    headers = {"Accept-Language": lang}
    for _ in range(10):
        response = client.post("/login", headers=headers,
                               data={"email": user.email, "password": "wrong-password"})
        assert response.status_code == 422
    with app.test_request_context(), force_locale(lang):
        expected = MESSAGES[429]()

    response = client.post("/login", headers=headers,
                           data={"email": user.email, "password": "secret-pass"})

    assert response.status_code == 429
    page = Page(response)
    assert page.text("main h1") == expected
    assert page.one("html").get("lang") == lang
    assert not signed_in(client)


# --- profile and language ---------------------------------------------------------------------


@pytest.mark.parametrize("data, field, message", [
    ({"timezone": "Mars/Olympus_Mons"}, "timezone", "time zone"),
    ({"locale": "fr"}, "locale", "Not a valid choice."),
    ({"name": ""}, "name", "This field is required."),
])
def test_profile_with_bad_input_is_422_and_unchanged(client, data, field, message):
    user = UserFactory(timezone="America/Toronto")
    login(client, user)

    response = client.post("/me/profile",
                           data={"name": "New Name", "locale": "", "timezone": "Asia/Riyadh",
                                 **data})

    assert response.status_code == 422
    [error] = field_errors(response, field)
    assert message.lower() in error.lower()
    user = reload(user)
    assert (user.name, user.timezone) != ("New Name", "Asia/Riyadh")
    assert user.timezone == "America/Toronto"


def test_a_name_is_saved_without_invisible_characters_and_one_of_only_them_is_422(client):
    user = UserFactory(name="Nora")
    login(client, user)
    data = {"locale": "", "timezone": "Asia/Riyadh"}
    response = client.post("/me/profile", data={**data, "name": "\u202eNora\u200b K\x07"})
    assert response.status_code == 303 and reload(user).name == "Nora K"
    response = client.post("/me/profile", data={**data, "name": "\u200b\u202e\u2066 \x07"})
    assert response.status_code == 422 and reload(user).name == "Nora K"


def test_profile_update_saves(client):
    user = UserFactory()
    login(client, user)
    response = client.post("/me/profile",
                           data={"name": "Nora K", "locale": "ar", "timezone": "Asia/Riyadh"})
    assert response.status_code == 303
    user = reload(user)
    assert (user.name, user.locale, user.timezone) == ("Nora K", "ar", "Asia/Riyadh")


@pytest.mark.parametrize("before, after, saved", [("en", "ar", "تم حفظ ملفك الشخصي."),
                                                    ("ar", "en", "Your profile is saved.")])
def test_the_saved_message_speaks_the_language_just_chosen(client, before, after, saved):
    user = UserFactory(locale=before)
    login(client, user)
    client.get(f"/me/profile?lang={before}")  # the browser's language cookie says `before`
    response = client.post("/me/profile",
                           data={"name": "Nora K", "locale": after, "timezone": "Asia/Riyadh"},
                           follow_redirects=True)
    page = Page(response)
    assert page.one("html").get("lang") == after
    assert saved in page.text(".flashes")


def test_lang_on_a_get_shows_the_language_but_never_changes_the_account(client):
    user = UserFactory(locale="en")
    login(client, user)

    page = Page(client.get("/me/bookings?lang=ar"))

    assert (page.one("html").get("lang"), page.one("html").get("dir")) == ("ar", "rtl")
    assert reload(user).locale == "en"  # a link (or an image tag on another site) changes nothing
    assert Page(client.get("/me/bookings")).one("html").get("lang") == "ar"  # the cookie


def test_the_language_switch_form_saves_it_on_the_account(app, client):
    user = UserFactory(locale=None)
    login(client, user)
    page = Page(client.get("/me/bookings?lang=en"))
    fields = {i.get("name"): i.get("value")
              for i in page.all("form[action='/me/language'] input")}
    assert fields["lang"] == "ar" and fields["next"] == "/me/bookings?lang=en"

    response = client.post("/me/language", data={"lang": "ar", "next": "/me/wallet"})

    assert response.status_code == 303 and response.headers["Location"] == "/me/wallet"
    assert reload(user).locale == "ar"
    # Another browser without the cookie gets Arabic once signed in.
    phone = app.test_client()
    login(phone, user)
    assert Page(phone.get("/me/bookings")).one("html").get("lang") == "ar"


@pytest.mark.parametrize("data, status", [
    ({"lang": "fr", "next": "/me/wallet"}, 400),
    ({"lang": "ar", "next": "//evil.example/x"}, 303),
    ({"lang": "ar", "next": "https://evil.example/x"}, 303),
])
def test_the_language_switch_refuses_odd_input(client, data, status):
    user = UserFactory(locale="en")
    login(client, user)
    response = client.post("/me/language", data=data)
    assert response.status_code == status
    if status == 303:
        assert response.headers["Location"] == "/"
    else:
        assert reload(user).locale == "en"
