"""A studio's Stripe keys are encrypted at rest: the database holds only ciphertext, the app
reads the key back, keys rotate, and keys saved before encryption still work."""

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from app.core.sealed import PREFIX, Unopenable, seal, unseal
from app.extensions import db
from app.studios.models import Studio
from tests.factories import StudioFactory

SECRET = "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc" * 4


def stored(studio, column="stripe_secret_key") -> str:
    return db.session.execute(text(f"SELECT {column} FROM studios WHERE id = :id"),
                              {"id": studio.id}).scalar_one()


@pytest.fixture
def keys(app):
    """Set DATA_KEYS for one test (and forget the cached keys before and after)."""
    def use(value):
        app.config["DATA_KEYS"] = value
        app.extensions.pop("fitflow_data_keys", None)
    yield use
    use(None)


def test_the_database_holds_ciphertext_and_the_app_reads_the_key(app):
    studio = StudioFactory(stripe_secret_key=SECRET, stripe_webhook_secret="whsec_abc123")
    db.session.flush()
    raw = stored(studio)
    assert raw.startswith(PREFIX) and SECRET not in raw and "4eC39" not in raw
    assert "whsec_abc123" not in stored(studio, "stripe_webhook_secret")
    db.session.expire_all()
    assert db.session.get(Studio, studio.id).stripe_secret_key == SECRET


def test_a_key_saved_before_encryption_is_still_read(app):
    studio = StudioFactory()
    db.session.execute(text("UPDATE studios SET stripe_secret_key = :v WHERE id = :id"),
                       {"v": SECRET, "id": studio.id})
    db.session.expire_all()
    assert db.session.get(Studio, studio.id).stripe_secret_key == SECRET


def test_rotation_new_key_in_front_old_ones_still_open(app, keys):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    keys(old)
    sealed_with_old = seal(SECRET)
    keys(f"{new},{old}")
    assert unseal(sealed_with_old) == SECRET
    assert unseal(seal(SECRET)) == SECRET
    keys(new)  # the old key dropped too early: read as unset, never as a wrong key
    assert unseal(sealed_with_old) == "" and isinstance(unseal(sealed_with_old), Unopenable)


def test_keys_that_no_longer_open_take_no_page_down(app, client, keys):
    """DATA_KEYS changed without the old key: pages that never need the keys do not read them,
    payments are off, the admin is asked to enter the keys again, and the webhook skips that
    studio while another studio's events still verify."""
    from app.studios.models import Role
    from tests.billing.fake_stripe import signed
    from tests.conftest import login
    from tests.factories import ClassFactory, PlanFactory, staff
    from tests.pages import Page

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    keys(old)
    lost = StudioFactory(stripe_secret_key=SECRET, stripe_webhook_secret="whsec_lost")
    cls, plan = ClassFactory(studio=lost), PlanFactory(studio=lost)
    admin = staff(lost, Role.STUDIO_ADMIN)
    db.session.commit()
    keys(new)
    kept = StudioFactory(stripe_secret_key=SECRET, stripe_webhook_secret="whsec_kept")
    db.session.commit()
    login(client, admin)
    for url in ("/", f"/s/{lost.slug}/schedule", f"/s/{lost.slug}/classes/{cls.id}",
                f"/s/{lost.slug}/plans", f"/manage/{lost.slug}/", "/me/wallet"):
        assert client.get(url).status_code == 200, url
    plans = Page(client.get(f"/s/{lost.slug}/plans?lang=en"))
    assert not plans.all(f"form[action$='/plans/{plan.id}/checkout']")  # no card button
    settings = Page(client.get(f"/manage/{lost.slug}/settings/money?lang=en"))
    assert "enter both keys again" in settings.text("[role=alert]")
    event = {"id": "evt_1", "type": "x.y", "data": {"object": {"id": "o"}}}
    body, headers = signed(event, "whsec_lost")
    assert client.post("/webhooks/stripe", data=body, headers=headers).status_code == 400
    body, headers = signed(event, "whsec_kept")
    assert client.post("/webhooks/stripe", data=body, headers=headers).status_code == 200
    assert client.post(f"/webhooks/stripe?studio={kept.slug}", data=body,
                       headers=headers).status_code == 200
