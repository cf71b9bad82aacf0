"""Re-authentication before money and keys: a session older than ten minutes confirms the
password again, then comes back; Stripe key and payment setting changes are audited (never
the values) and emailed to the studio's owners."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from app.accounts.policies import FRESH_FOR, is_fresh
from app.audit.models import AuditEvent
from app.core.mail import read_mailbox
from app.extensions import db
from app.studios.models import Role, StaffRole
from tests.conftest import login
from tests.factories import StudioFactory, UserFactory, paid_order, staff
from tests.pages import Page

BASE = {"invoice_prefix": "INV", "tax_jurisdiction": "CA-ON", "late_cancel_fee": "15.00",
        "no_show_fee": "20.00"}
SECRET = "sk_test_" + "a" * 24


@pytest.fixture
def studio(app):
    return StudioFactory()


def go_stale(client):
    """The session authenticated eleven minutes ago."""
    with client.session_transaction() as session:
        session["auth_at"] = int(time.time()) - FRESH_FOR - 60


def events(*actions) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action.in_(actions))
                                   .order_by(AuditEvent.id)))


def test_freshness_is_ten_minutes():
    now = 1_000_000
    assert is_fresh(now - 600, now) and not is_fresh(now - 601, now)
    assert not is_fresh(None, now) and not is_fresh("1", now) and not is_fresh(now + 5, now)


@pytest.mark.parametrize("lang, explains", [
    ("en", "You are about to change how your studio takes payments"),
    ("ar", "أنت على وشك تغيير طريقة تحصيل الاستوديو للمدفوعات")])
def test_a_stale_session_confirms_the_password_before_changing_stripe_keys(client, studio,
                                                                           lang, explains):
    admin = staff(studio, Role.STUDIO_ADMIN)
    login(client, admin)
    go_stale(client)
    form_page = f"/manage/{studio.slug}/settings/money"

    refused = client.post(form_page, data={**BASE, "stripe_secret_key": SECRET},
                          headers={"Referer": f"http://localhost{form_page}"})

    assert refused.status_code == 303
    target = urlsplit(refused.headers["Location"])
    assert target.path == "/reauth"
    assert parse_qs(target.query) == {"next": [form_page], "why": ["payments"]}
    db.session.expire_all()
    assert studio.stripe_secret_key is None and events("stripe_keys_changed") == []

    page = Page(client.get(refused.headers["Location"] + f"&lang={lang}"))
    assert explains in page.text("main")
    wrong = client.post(refused.headers["Location"], data={"password": "not-it-at-all"})
    assert wrong.status_code == 422

    confirmed = client.post(refused.headers["Location"], data={"password": "secret-pass"})
    assert confirmed.status_code == 303 and confirmed.headers["Location"] == form_page
    saved = client.post(form_page, data={**BASE, "stripe_secret_key": SECRET})
    assert saved.status_code == 303
    db.session.expire_all()
    assert studio.stripe_secret_key == SECRET


def test_stripe_key_changes_are_audited_without_values_and_emailed_to_the_owners(
        app, client, studio, run_jobs):
    owners = [staff(studio, Role.OWNER, locale="ar"), staff(studio, Role.OWNER)]
    admin = staff(studio, Role.STUDIO_ADMIN, name="Hala Admin")
    staff(studio, Role.TRAINER)  # not told
    client.environ_base["REMOTE_ADDR"] = "198.51.100.23"
    login(client, admin)

    client.post(f"/manage/{studio.slug}/settings/money",
                data={**BASE, "stripe_secret_key": SECRET,
                      "stripe_webhook_secret": "whsec_" + "b" * 24},
                headers={"User-Agent": "Mozilla/5.0 (Macintosh; Mac OS X 14) Firefox/133.0"})

    keys, settings = events("stripe_keys_changed", "payment_settings_changed")
    assert keys.actor_id == admin.id and keys.studio_id == studio.id
    assert keys.data == {"keys": ["stripe_secret_key", "stripe_webhook_secret"],
                         "ip": "198.51.100.23", "device": "Firefox · macOS"}
    assert "late_cancel_fee_minor" in settings.data["fields"]
    assert SECRET not in str(keys.data) + str(settings.data)

    run_jobs()
    to_owners = [m for m in read_mailbox() if m["To"] in {o.email for o in owners}]
    assert {m["To"] for m in to_owners} == {o.email for o in owners}
    texts = " ".join(m.get_body(("plain",)).get_content() for m in to_owners)
    assert "Hala Admin" in texts and "198.51.100.23" in texts and SECRET not in texts
    assert "مفاتيح Stripe" in texts  # the Arabic owner reads it in Arabic
    assert "The Stripe keys of" in texts  # the other in English


def test_a_refund_asks_again_on_a_stale_session_and_htmx_is_redirected(client, studio):
    admin = staff(studio, Role.STUDIO_ADMIN)
    _order, payment, _invoice = paid_order(studio, UserFactory())
    login(client, admin)
    go_stale(client)
    url = f"/manage/{studio.slug}/payments/{payment.id}/refunds"

    response = client.post(url, data={f"refund-{payment.id}-amount": "1.00"},
                           headers={"HX-Request": "true"})

    assert response.status_code == 401
    assert urlsplit(response.headers["HX-Redirect"]).path == "/reauth"
    assert "why=refund" in response.headers["HX-Redirect"]
    db.session.expire_all()
    assert payment.refunded_minor == 0


def test_a_get_comes_back_to_itself_after_confirming(app, client):
    """A GET behind the decorator (no such page today) sends to the re-auth page with its own
    URL, query included, and the re-auth page returns there."""
    from flask import g, session

    from app.accounts.policies import fresh_auth_required

    @fresh_auth_required(why="export")
    def export():
        return "exported"

    user = UserFactory()
    with app.test_request_context("/me/export?format=csv"):
        g._login_user = user
        session["auth_at"] = int(time.time()) - FRESH_FOR - 1
        location = export().headers["Location"]
        session["auth_at"] = int(time.time())
        assert export() == "exported"
    assert parse_qs(urlsplit(location).query) == {"next": ["/me/export?format=csv"],
                                                  "why": ["export"]}
    login(client, user)
    back = client.post(location, data={"password": "secret-pass"})
    assert back.headers["Location"] == "/me/export?format=csv"


def test_a_fresh_sign_in_needs_no_confirmation(client, studio):
    admin = staff(studio, Role.STUDIO_ADMIN)
    login(client, admin)
    response = client.post(f"/manage/{studio.slug}/settings/money", data=BASE)
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path.endswith("/settings/money")


def test_the_reauth_page_only_returns_to_this_site(client):
    login(client, UserFactory())
    response = client.post("/reauth?next=//evil.example/x", data={"password": "secret-pass"})
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_a_stale_session_confirms_before_roles_change_or_customers_are_exported(client, studio):
    owner = staff(studio, Role.OWNER)
    trainer = staff(studio, Role.TRAINER)
    member = db.session.scalar(select(StaffRole).where(StaffRole.user_id == trainer.id))
    login(client, owner)
    go_stale(client)
    console = f"/manage/{studio.slug}"

    changed = client.post(f"{console}/staff/{member.id}/role",
                          data={f"member-{member.id}-role": "studio_admin"},
                          headers={"Referer": f"http://localhost{console}/staff"})
    removed = client.post(f"{console}/staff/{member.id}/remove")
    invited = client.post(f"{console}/staff/invitations",
                          data={"email": "new@example.com", "role": "trainer"})
    exported = client.get(f"{console}/customers.csv")
    for answer, why in ((changed, "roles"), (removed, "roles"), (invited, "roles"),
                        (exported, "export")):
        assert answer.status_code == 303
        target = urlsplit(answer.headers["Location"])
        assert target.path == "/reauth" and parse_qs(target.query)["why"] == [why]
    db.session.expire_all()
    assert db.session.get(StaffRole, member.id).role == Role.TRAINER

    client.post("/reauth", data={"password": "secret-pass"})
    assert client.get(f"{console}/customers.csv").status_code == 200
