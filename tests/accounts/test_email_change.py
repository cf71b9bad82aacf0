"""Changing one's own e-mail: re-authentication first, a single-use link to the new address,
a notice to the old one, the same answer for a taken address, other sessions ended."""

import re
import uuid
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.accounts.models import AccountLink, LinkPurpose, User
from app.audit.models import AuditEvent
from app.clients.queries.customers import CustomerFilters, list_customers
from app.core.db import utcnow
from app.core.mail import read_mailbox
from app.extensions import db
from app.studios.services import ensure_customer
from tests.accounts.test_reauth import go_stale
from tests.conftest import login
from tests.factories import StudioFactory, UserFactory
from tests.pages import Page

SENT = ("We sent a link to the new address. Your email changes when you open it (within 24 "
        "hours); until then nothing changes.")


def mails_to(address: str) -> list:
    return [m for m in read_mailbox() if m["To"] == address]


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def confirm_path(message) -> str:
    found = re.search(r"http://fitflow\.test(/me/email/confirm/\S+)", text_of(message))
    assert found, text_of(message)
    return found.group(1)


def reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def audit_of(user: User, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.subject == f"user:{user.id}")))


def ask(client, address: str, **headers):
    return client.post("/me/email", data={"email": address}, headers=headers)


@pytest.fixture
def nora(app):
    return UserFactory(name="Nora")


def unique(name: str) -> str:
    """An address no other test of the run mails (the dev mailbox is the run's)."""
    return f"{name}.{uuid.uuid4().hex[:8]}@example.com"


@pytest.fixture
def new():
    return unique("nora.new")


def test_the_whole_change(app, client, nora, new, run_jobs):
    old = nora.email
    studio = StudioFactory()
    ensure_customer(studio, nora)
    elsewhere = app.test_client()
    login(elsewhere, nora)
    login(client, nora)
    assert "/me/email" in [a.get("href") for a in Page(client.get("/me/profile")).all("a")]

    asked = ask(client, f"  {new.upper()} ")
    assert asked.status_code == 303 and asked.headers["Location"] == "/me/profile"
    assert SENT in Page(client.get("/me/profile")).text("main")
    run_jobs()
    assert reload(nora).email == old  # nothing changes before the link
    notice, = mails_to(old)
    assert "asked to change its email address" in text_of(notice)
    assert "http://fitflow.test/reset" in text_of(notice)  # the way to stop it
    assert new not in text_of(notice)
    link, = mails_to(new)
    path = confirm_path(link)

    page = client.get(path)  # opening it shows what happens; it changes nothing yet
    assert page.status_code == 200 and new in Page(page).text("main")
    assert reload(nora).email == old
    confirmed = client.post(path)
    assert confirmed.status_code == 303 and confirmed.headers["Location"] == "/me/profile"

    nora = reload(nora)
    assert nora.email == new and nora.email_verified_at is not None
    assert client.get("/me/bookings").status_code == 200  # this device stays signed in
    assert elsewhere.get("/me/bookings").status_code in (302, 303, 401)  # the other does not
    (changed,) = audit_of(nora, "email_changed")
    assert old not in str(changed.data) and new not in str(changed.data)
    assert len(audit_of(nora, "email_change_requested")) == 1
    assert new not in str(audit_of(nora, "email_change_requested")[0].data)
    found = list_customers(studio, CustomerFilters(search=new), utcnow()).rows
    assert [row.user.id for row in found] == [nora.id]
    assert not list_customers(studio, CustomerFilters(search=old), utcnow()).rows
    client.post("/logout")
    login(client, nora)  # signs in with the new address


def test_the_link_works_once_and_not_after_a_day(app, client, nora, new, run_jobs):
    login(client, nora)
    ask(client, new)
    run_jobs()
    path = confirm_path(mails_to(new)[0])
    assert client.post(path).status_code == 303
    again = client.post(path)
    assert again.status_code == 400
    assert "This link is invalid or has expired" in Page(again).text("main")
    assert client.get(path).status_code == 400

    third = unique("third")
    ask(client, third)
    run_jobs()
    late = confirm_path(mails_to(third)[0])
    db.session.execute(AccountLink.__table__.update()
                       .where(AccountLink.user_id == nora.id, AccountLink.used_at.is_(None))
                       .values(expires_at=utcnow()))
    assert client.post(late).status_code == 400
    assert reload(nora).email == new


def test_the_link_lasts_24_hours(app, client, nora, new, run_jobs):
    login(client, nora)
    ask(client, new)
    run_jobs()
    row = db.session.scalar(select(AccountLink).where(AccountLink.user_id == nora.id,
                                                      AccountLink.purpose == LinkPurpose.EMAIL))
    hours = (row.expires_at - row.created_at).total_seconds() / 3600
    assert 23.9 < hours <= 24.0 and row.email == new


def test_a_stale_session_confirms_it_is_them_first(app, client, nora, new, jobs):
    login(client, nora)
    go_stale(client)
    page = client.get("/me/email")
    assert page.status_code == 303
    target = urlsplit(page.headers["Location"])
    assert target.path == "/reauth" and "why=email" in target.query
    assert "You are about to change your email address." in Page(
        client.get(page.headers["Location"])).text("main")
    refused = ask(client, new, Referer="http://localhost/me/email")
    assert refused.status_code == 303 and urlsplit(refused.headers["Location"]).path == "/reauth"
    assert jobs == [] and audit_of(nora, "email_change_requested") == []

    back = client.post(page.headers["Location"], data={"password": "secret-pass"})
    assert back.status_code == 303 and back.headers["Location"] == "/me/email"
    assert client.get("/me/email").status_code == 200
    assert ask(client, new).status_code == 303


def test_a_taken_address_answers_the_same_and_changes_nothing(app, client, nora, new, run_jobs):
    owner = UserFactory(name="Taken Owner")
    old, theirs = nora.email, owner.email
    login(client, nora)
    free, taken = ask(client, new), ask(client, owner.email.upper())
    assert (free.status_code, free.headers["Location"]) == (taken.status_code,
                                                           taken.headers["Location"])
    run_jobs()

    told, = mails_to(owner.email)
    assert "Taken Owner" in text_of(told) and "/me/email/confirm/" not in text_of(told)
    assert "Nothing was changed" in text_of(told)
    assert len(mails_to(old)) == 2  # the old address is told either way
    links = db.session.scalars(select(AccountLink).where(
        AccountLink.user_id == nora.id, AccountLink.purpose == LinkPurpose.EMAIL)).all()
    assert [link.email for link in links] == [new]
    assert reload(nora).email == old and reload(owner).email == theirs


def test_an_address_taken_after_the_link_was_sent_is_refused(app, client, nora, new, run_jobs):
    old = nora.email
    login(client, nora)
    ask(client, new)
    run_jobs()
    UserFactory(email=new)  # signed up with it meanwhile
    refused = client.post(confirm_path(mails_to(new)[0]))
    assert refused.status_code == 409
    assert "belongs to another account now" in Page(refused).text("main")
    assert reload(nora).email == old


def test_a_new_password_stops_a_pending_change(app, client, nora, new, run_jobs):
    old = nora.email
    login(client, nora)
    ask(client, new)
    run_jobs()
    path = confirm_path(mails_to(new)[0])
    changed = client.post("/me/security/password", data={
        "current": "secret-pass", "password": "a-brand-new-pass", "confirm": "a-brand-new-pass"})
    assert changed.status_code == 303
    assert client.post(path).status_code == 400
    assert reload(nora).email == old


def test_bad_input_is_a_422_and_sends_nothing(app, client, nora, new, jobs):
    login(client, nora)
    for bad in ("not-an-address", "", "x" * 250 + "@e.com"):
        response = ask(client, bad)
        assert response.status_code == 422
        assert Page(response).all("#email-error .field-error")
    same = ask(client, nora.email.upper())
    assert same.status_code == 422
    assert "That is already your email address." in Page(same).text("main")
    assert jobs == [] and audit_of(nora, "email_change_requested") == []


def test_in_arabic(app, client, new, run_jobs):
    nora = UserFactory(locale="ar")
    login(client, nora)
    page = Page(client.get("/me/email?lang=ar"))
    assert page.one("h1").text == "تغيير بريدك الإلكتروني"
    same = ask(client, nora.email)
    assert "هذا هو بريدك الإلكتروني بالفعل." in Page(same).text("main")
    ask(client, new)
    run_jobs()
    link, = mails_to(new)
    assert link["Subject"] == "أكّد بريدك الإلكتروني الجديد في FitFlow"
    assert 'dir="rtl"' in link.get_body(("html",)).get_content()
