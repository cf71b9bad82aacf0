"""Choosing a language on the profile lays the page out in it at once: Arabic right to left,
English left to right, without a reload by hand."""

import uuid

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.e2e.conftest import PHONE, Texts, sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_language_chosen_on_the_profile_sets_lang_and_dir(new_context, live_app, live_server):
    with live_app.app_context():
        email = UserFactory(email=f"reader-{uuid.uuid4().hex[:6]}@example.com").email
        db.session.commit()
    context = new_context(locale="en", **PHONE)
    page = context.new_page()
    en, ar = Texts(live_app, "en"), Texts(live_app, "ar")
    sign_in(page, live_server, en, "en", email)
    page.goto(f"{live_server}/me/profile?lang=en")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "ltr")

    for t, lang, direction, choice in ((en, "ar", "rtl", "العربية"), (ar, "en", "ltr", "English")):
        page.get_by_label(t("Language")).select_option(label=choice)
        page.get_by_role("button", name=t("Save"), exact=True).tap()
        expect(page.get_by_role("heading", name=Texts(live_app, lang)("Profile"))).to_be_visible()
        expect(html).to_have_attribute("lang", lang)
        expect(html).to_have_attribute("dir", direction)
    context.close()
