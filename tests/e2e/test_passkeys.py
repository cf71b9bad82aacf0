"""Passkeys in Chromium with a virtual authenticator (CDP WebAuthn domain: a platform
authenticator with resident keys and user verification), in Arabic and English: add one, sign
out, sign in with it alone, remove it; and a new person in Arabic on a phone signs up with a
passkey and signs in with it alone."""

import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts.factors.models import Passkey
from app.accounts.models import User
from app.extensions import db
from tests.e2e.conftest import PHONE, Texts, sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def virtual_authenticator(context, page) -> tuple:
    """A platform authenticator that holds passkeys and verifies its user (a fingerprint that
    always matches), attached to `page`."""
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True,
        "automaticPresenceSimulation": True}})
    return cdp, added["authenticatorId"]


def without_autofill(page) -> None:
    """The login page offers passkeys in the e-mail field's autofill, and a virtual
    authenticator answers that request at once, as if the person had picked it: to try the
    button, the page is told that the browser has no autofill for passkeys."""
    page.add_init_script("if (window.PublicKeyCredential) Object.defineProperty("
                         "PublicKeyCredential, 'isConditionalMediationAvailable',"
                         " {value: undefined})")


def record_requests(page) -> None:
    """Note each passkey request the page makes, "conditional" (the e-mail field's autofill) or
    "button", in sessionStorage, which outlives the page's navigations."""
    page.add_init_script("""(() => {
      if (!navigator.credentials) return;
      const get = navigator.credentials.get.bind(navigator.credentials);
      navigator.credentials.get = (options) => {
        const seen = JSON.parse(sessionStorage.getItem("passkey-requests") || "[]");
        seen.push((options && options.mediation) || "button");
        sessionStorage.setItem("passkey-requests", JSON.stringify(seen));
        return get(options);
      };
    })()""")


def requests_made(page) -> list[str]:
    return page.evaluate("JSON.parse(sessionStorage.getItem('passkey-requests') || '[]')")


def held(cdp, authenticator_id) -> list[dict]:
    return cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]


def passkeys_of(live_app, email: str) -> list[Passkey]:
    with live_app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        return list(db.session.scalars(select(Passkey).where(Passkey.user_id == user.id)))


def sign_out(page, t) -> None:
    page.get_by_role("banner").get_by_role("button", name=t("Sign out")).click()
    expect(page.get_by_role("link", name=t("Sign in"), exact=True).first).to_be_visible()


def sign_in_with_passkey(page, live_server, t, lang) -> None:
    page.goto(f"{live_server}/login?lang={lang}")
    expect(page.get_by_label(t("Email"))).to_have_value("")
    page.get_by_role("button", name=t("Sign in with a passkey")).click()


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_add_sign_out_sign_in_with_the_passkey_alone_and_remove(new_context, live_app,
                                                                 live_server, lang,
                                                                 artifacts_dir):
    with live_app.app_context():
        email = UserFactory(email=f"keys-{lang}-{uuid.uuid4().hex[:6]}@example.com").email
        db.session.commit()
    t = Texts(live_app, lang)
    context = new_context(locale=lang, **PHONE)
    page = context.new_page()
    without_autofill(page)
    cdp, authenticator = virtual_authenticator(context, page)
    sign_in(page, live_server, t, lang, email)

    page.goto(f"{live_server}/me/security?lang={lang}")
    page.get_by_label(t("Name of the new passkey")).fill("iPhone")
    page.get_by_role("button", name=t("Add a passkey")).click()
    expect(page.get_by_text(t("Your passkey “%(name)s” is added.", name="iPhone"))).to_be_visible()
    expect(page.locator(".passkey strong")).to_have_text(["iPhone"])
    page.screenshot(path=artifacts_dir / f"passkeys-added-{lang}.png", full_page=True)
    [credential] = held(cdp, authenticator)
    assert credential["isResidentCredential"]
    [stored] = passkeys_of(live_app, email)
    assert stored.user_verified and stored.last_used_at is None

    sign_out(page, t)
    sign_in_with_passkey(page, live_server, t, lang)
    expect(page.get_by_role("banner").get_by_role("button", name=t("Sign out"))).to_be_visible()
    [stored] = passkeys_of(live_app, email)
    assert stored.last_used_at is not None and stored.sign_count >= 1

    page.goto(f"{live_server}/me/security?lang={lang}")
    expect(page.get_by_text(t("Last used %(when)s", when="")[:5]).first).to_be_visible()
    page.get_by_role("button", name=t("Remove the passkey %(name)s", name="iPhone")).click()
    expect(page.get_by_text(t("You have no passkey yet."))).to_be_visible()
    assert passkeys_of(live_app, email) == []

    # The phone still holds the removed passkey: it no longer opens the account.
    sign_out(page, t)
    sign_in_with_passkey(page, live_server, t, lang)
    expect(page.get_by_text(t("This passkey is not registered with an account here."))
           ).to_be_visible()
    expect(page.get_by_role("banner").get_by_role("button", name=t("Sign out"))).to_have_count(0)
    context.close()


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_passkey_offered_in_the_email_fields_autofill_signs_in(new_context, live_app,
                                                                  live_server, lang):
    """Conditional mediation: /login asks for a passkey as the page opens, shown in the e-mail
    field's autofill; the virtual authenticator answers it at once, as a person picking the
    offered passkey would, and they land signed in without typing or pressing anything."""
    with live_app.app_context():
        email = UserFactory(email=f"autofill-{lang}-{uuid.uuid4().hex[:6]}@example.com").email
        db.session.commit()
    t = Texts(live_app, lang)
    context = new_context(locale=lang, **PHONE)
    page = context.new_page()
    record_requests(page)
    cdp, authenticator = virtual_authenticator(context, page)
    sign_in(page, live_server, t, lang, email)  # no passkey yet: the autofill finds none
    page.goto(f"{live_server}/me/security?lang={lang}")
    page.get_by_label(t("Name of the new passkey")).fill("Pixel")
    page.get_by_role("button", name=t("Add a passkey")).click()
    expect(page.get_by_text(t("Your passkey “%(name)s” is added.", name="Pixel"))).to_be_visible()
    assert len(held(cdp, authenticator)) == 1
    sign_out(page, t)

    page.goto(f"{live_server}/login?lang={lang}")

    expect(page.get_by_role("banner").get_by_role("button", name=t("Sign out"))).to_be_visible()
    assert "/login" not in page.url
    assert set(requests_made(page)) == {"conditional"}  # the button was never used
    [stored] = passkeys_of(live_app, email)
    assert stored.last_used_at is not None and stored.sign_count >= 1
    context.close()


def test_a_new_person_signs_up_with_a_passkey_on_a_phone_in_arabic(new_context, live_app,
                                                                 live_server, artifacts_dir):
    t = Texts(live_app, "ar")
    context = new_context(locale="ar", **PHONE)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    without_autofill(page)
    virtual_authenticator(context, page)
    email = f"layla-{uuid.uuid4().hex[:6]}@example.com"

    page.goto(f"{live_server}/signup?lang=ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.get_by_label(t("Your name")).fill("ليلى القحطاني")
    page.get_by_label(t("Email")).fill(email)
    page.screenshot(path=artifacts_dir / "passkey-signup-ar.png", full_page=True)
    page.get_by_role("button", name=t("Create account with a passkey")).tap()
    # As with a password: confirm the address, then sign in (here with the passkey alone).
    expect(page.get_by_text(t("Thank you! We sent a message to that address: open it to "
                              "confirm, then sign in with your passkey."))).to_be_visible()
    with live_app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user.name == "ليلى القحطاني" and user.password_hash is None
    assert len(passkeys_of(live_app, email)) == 1
    expect(page.get_by_role("banner").get_by_role("button", name=t("Sign out"))).to_have_count(0)

    page.get_by_role("button", name=t("Sign in with a passkey")).tap()
    expect(page.get_by_role("banner").get_by_role("button", name=t("Sign out"))).to_be_visible()
    page.goto(f"{live_server}/me/security")
    expect(page.locator(".passkey strong")).to_have_text([t("Passkey")])
    assert problems == []
    context.close()
