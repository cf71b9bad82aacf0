"""A studio's Stripe keys are encrypted at rest: the database holds only ciphertext, the app
reads the key back, keys rotate, and keys saved before encryption still work."""

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from app.core.sealed import PREFIX, seal, unseal
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
    keys(new)  # the old key dropped too early: a clear error, not a wrong key
    with pytest.raises(RuntimeError):
        unseal(sealed_with_old)
