"""The pepper (ASVS 2.4.5): every password is HMAC'd with PASSWORD_PEPPER before argon2, so the
users table alone checks no guess; a hash from before the pepper still signs in, and is
replaced by a peppered one at that sign-in."""

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError

from app.accounts.models import User
from app.core.security import PEPPERED, hash_password, password_needs_rehash, verify_password
from app.extensions import db
from tests.conftest import login
from tests.factories import UserFactory


def stored_hash(user) -> str:
    db.session.expire_all()
    return db.session.get(User, user.id).password_hash


def test_a_peppered_hash_verifies_with_its_pepper_only(app, monkeypatch):
    stored = hash_password("palm-club-2026")

    assert stored.startswith(PEPPERED + "$argon2id$")
    assert verify_password(stored, "palm-club-2026")
    assert not verify_password(stored, "palm-club-2027")
    assert not password_needs_rehash(stored)
    # The table alone: the argon2 hash in it is not of the password itself.
    bare = PasswordHasher(**app.config["PASSWORD_HASH"])
    try:
        bare.verify(stored.removeprefix(PEPPERED), "palm-club-2026")
        checked_without_pepper = True
    except VerificationError:
        checked_without_pepper = False
    assert not checked_without_pepper

    monkeypatch.setitem(app.config, "PASSWORD_PEPPER", "another-pepper-of-thirty-two-chars!")
    assert not verify_password(stored, "palm-club-2026")


def test_an_old_unpeppered_hash_signs_in_and_is_hashed_again(app, client):
    old = PasswordHasher(**app.config["PASSWORD_HASH"]).hash("secret-pass")
    user = UserFactory(password_hash=old)
    assert password_needs_rehash(old)

    assert client.post("/login", data={"email": user.email, "password": "wrong-pass-here"}
                       ).status_code == 422
    assert stored_hash(user) == old  # a wrong password upgrades nothing

    login(client, user)

    upgraded = stored_hash(user)
    assert upgraded.startswith(PEPPERED) and verify_password(upgraded, "secret-pass")
    assert not verify_password(upgraded.removeprefix(PEPPERED), "secret-pass")
    again = app.test_client()
    login(again, user)  # and the new hash signs in
    assert stored_hash(user) == upgraded  # already peppered: not hashed again


def test_confirming_the_password_again_upgrades_an_old_hash_too(app, client):
    user = UserFactory()
    login(client, user)
    user.password_hash = PasswordHasher(**app.config["PASSWORD_HASH"]).hash("secret-pass")
    db.session.commit()

    response = client.post("/reauth?next=/me/security", data={"password": "secret-pass"})

    assert response.status_code == 303
    assert stored_hash(user).startswith(PEPPERED)
