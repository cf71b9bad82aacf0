"""Secrets of third parties kept in the database (a studio's Stripe keys) are stored encrypted.

`Sealed` is a column type: values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from the
`cryptography` library) on the way in and decrypted on the way out. The keys come from
DATA_KEYS (comma-separated Fernet keys, newest first: rotation is adding a key in front and
re-saving; old keys keep decrypting) or, without it, one key derived from SECRET_KEY. A plain
value (no prefix: a row stored before migration 0011) is read as it is and sealed when
next saved.
"""

import base64
import hashlib
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import Text, types

PREFIX = "fernet:"
log = logging.getLogger(__name__)


class Unopenable(str):
    """What a sealed value reads as when no configured key opens it (DATA_KEYS changed without
    the old key): empty, so every caller sees "not set" and nothing breaks; the settings page
    tells the admin to enter it again."""

    def __new__(cls):
        return super().__new__(cls, "")


def _keys() -> MultiFernet:
    app = current_app._get_current_object()
    keys = app.extensions.get("fitflow_data_keys")
    if keys is None:
        configured = [k.strip() for k in (app.config.get("DATA_KEYS") or "").split(",")
                      if k.strip()]
        if not configured:  # derived, so an embedded run needs no extra setting
            digest = hashlib.sha256(b"fitflow-data-key:"
                                    + app.config["SECRET_KEY"].encode()).digest()
            configured = [base64.urlsafe_b64encode(digest).decode()]
        keys = app.extensions["fitflow_data_keys"] = MultiFernet([Fernet(k) for k in configured])
    return keys


def seal(value: str) -> str:
    return PREFIX + _keys().encrypt(value.encode()).decode()


def unseal(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return stored  # plain (a row older than sealing): sealed on the next save
    try:
        return _keys().decrypt(stored.removeprefix(PREFIX).encode()).decode()
    except InvalidToken:
        log.warning("a sealed value does not open with DATA_KEYS / SECRET_KEY: read as unset")
        return Unopenable()


class Sealed(types.TypeDecorator):
    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else seal(value)

    def process_result_value(self, value, dialect):
        return None if value is None else unseal(value)
