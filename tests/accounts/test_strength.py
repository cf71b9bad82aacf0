"""The strength meter under every new-password field (ASVS 2.1.8): sign-up, reset and change
each ask the meter as the person types, and it answers a verdict a person can act on, in
Arabic and English, the person's own name and address counting against the password."""

import pytest

from app.accounts.passwords import rate
from app.accounts.services.links import issue_link
from tests.conftest import login
from tests.factories import UserFactory
from tests.pages import Page, text_of

METER = "/password/strength"


def meter(client, password, lang="en", **hints):
    response = client.post(f"{METER}?lang={lang}", data={"password": password, **hints},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return response


def verdict(response) -> str:
    return Page(response).one(".strength").get("data-verdict")


def said(response) -> str:
    return text_of(Page(response).one(".strength p"))


@pytest.fixture
def reset_token():
    return issue_link(UserFactory(), "reset")


@pytest.mark.parametrize("password, expected, text", [
    ("palm-club", "too_short", "Strength: Too short 9 characters so far: use at least 12."),
    ("password1234", "common", "Strength: Very weak This is one of the most common passwords: "
                               "it is guessed first."),
    ("aaaaaaaaaaaa", "weak", "Strength: Weak Repeated letters or words are easy to guess."),
    ("abcdefghijklmn", "weak", "Strength: Weak Sequences like abc or 6543 are easy to guess."),
    ("qwertyuiopasdf", "weak", "Strength: Weak Common words and names on their own are easy "
                               "to guess: add a few unrelated words."),
    ("palm-club-2026", "strong", "Strength: Strong It is very hard to guess."),
    ("x" * 129, "too_long", "Strength: Too long Use at most 128 characters."),
])
def test_the_meter_says_how_strong_the_typed_password_is(client, password, expected, text):
    response = meter(client, password)
    assert verdict(response) == expected
    assert said(response) == text


def test_a_weak_and_a_strong_password_fill_the_meter_differently(client):
    weak = Page(meter(client, "aaaaaaaaaaaa")).one("meter")
    strong = Page(meter(client, "correct horse battery staple")).one("meter")
    assert (weak.get("value"), strong.get("value")) == ("0", "4")


def test_an_empty_field_has_no_meter(client):
    assert meter(client, "").get_data(as_text=True).strip() == ""


def test_the_meter_speaks_arabic(client):
    response = meter(client, "palm-club", lang="ar")
    assert said(response) == "القوة: قصيرة جدًا 9 أحرف حتى الآن: استخدم 12 حرفًا على الأقل."


def test_the_persons_own_name_and_address_count_against_the_password(client):
    typed = "nora.qahtani@example.com"
    alone = meter(client, typed)
    with_hints = meter(client, typed, name="Nora Qahtani", email="nora.qahtani@example.com")
    assert verdict(with_hints) == "weak" and verdict(alone) != "weak"
    assert "It contains your name or email address." in said(with_hints)


def test_a_signed_in_persons_name_counts_on_the_change_form(client):
    user = UserFactory(name="Zubair Haddad", email="zubair.haddad@example.com")
    login(client, user)
    assert "It contains your name or email address." in said(
        meter(client, "zubairhaddad!!"))


@pytest.mark.parametrize("path", ["/signup", "/reset/{token}", "/me/security"])
def test_every_new_password_field_asks_the_meter_as_it_is_typed(client, path, reset_token):
    if path == "/me/security":
        login(client, UserFactory())
    page = Page(client.get(path.format(token=reset_token)))
    field = page.one("input[name=password]")
    slot = page.one(f"#{field.get('id')}-strength")
    assert field.get("hx-post") == METER and "input" in field.get("hx-trigger")
    assert "delay:" in field.get("hx-trigger")  # debounced: not one request per key
    assert field.get("hx-target") == f"#{slot.get('id')}" and field.get("hx-swap") == "innerHTML"
    assert field.get("aria-describedby") == slot.get("id") and slot.get("aria-live") == "polite"
    assert field.get("hx-params") == "password,name,email"  # never the current password


def test_the_rules_and_the_meter_agree_on_what_is_refused():
    assert not rate("palm-club").accepted and not rate("password1234").accepted
    assert rate("aaaaaaaaaaaa").accepted  # weak, but no composition rule refuses it
    assert rate("palm-club-2026").accepted
