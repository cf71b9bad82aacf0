"""Passkeys (WebAuthn Level 2, the `webauthn` package): register, sign in, rename, remove.

The relying party is the host of BASE_URL and the only accepted origin is BASE_URL's own, so
an answer made for another site (or for 127.0.0.1 when BASE_URL says localhost) is refused.
Every ceremony answers a challenge kept server-side (challenges.py), good once.
"""

import ipaddress
import json
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    parse_authentication_credential_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import (
    InvalidAuthenticatorDataStructure,
    InvalidCBORData,
    InvalidJSONStructure,
    WebAuthnException,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    CredentialDeviceType,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from app.accounts.factors.errors import (
    PasskeyAlreadyAdded,
    PasskeyRefused,
    PasskeyUnknown,
    PasskeyUnreadable,
    VerificationRequired,
)
from app.accounts.factors.models import Passkey
from app.accounts.factors.services import note_change
from app.accounts.factors.services.challenges import from_b64url as _decode
from app.accounts.factors.services.challenges import issue_challenge, take_challenge
from app.accounts.models import User
from app.core.db import utcnow
from app.extensions import db

UNREADABLE = (InvalidJSONStructure, InvalidCBORData, InvalidAuthenticatorDataStructure,
              KeyError, TypeError, ValueError, AttributeError)


@dataclass(frozen=True)
class RelyingParty:
    id: str
    origin: str
    name: str = "FitFlow"

    @property
    def usable(self) -> bool:
        """WebAuthn refuses IP addresses as relying parties (the quick start's 127.0.0.1)."""
        try:
            ipaddress.ip_address(self.id)
        except ValueError:
            return bool(self.id)
        return False


def relying_party() -> RelyingParty:
    """The relying party and origin, both from BASE_URL."""
    parts = urlsplit(current_app.config["BASE_URL"])
    return RelyingParty(id=parts.hostname or "", origin=f"{parts.scheme}://{parts.netloc}")


def _descriptor(passkey: Passkey) -> PublicKeyCredentialDescriptor:
    transports = [AuthenticatorTransport(t) for t in (passkey.transports or "").split(",")
                  if t in AuthenticatorTransport._value2member_map_]
    return PublicKeyCredentialDescriptor(id=passkey.credential_id, transports=transports or None)


def list_passkeys(user: User) -> list[Passkey]:
    """A person's passkeys, newest first."""
    return list(db.session.scalars(select(Passkey).where(Passkey.user_id == user.id)
                                   .order_by(Passkey.created_at.desc(), Passkey.id.desc())))


def _user_handle(user: User) -> bytes:
    existing = db.session.scalar(select(Passkey.user_handle).where(Passkey.user_id == user.id)
                                 .limit(1))
    return existing or secrets.token_bytes(32)


def _creation_options(rp: RelyingParty, challenge: bytes, handle: bytes, email: str, name: str,
                      exclude: list[Passkey], verify: bool) -> str:
    options = generate_registration_options(
        rp_id=rp.id, rp_name=rp.name, user_id=handle, user_name=email, user_display_name=name,
        challenge=challenge, exclude_credentials=[_descriptor(p) for p in exclude],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=(UserVerificationRequirement.REQUIRED if verify
                               else UserVerificationRequirement.PREFERRED)))
    return options_to_json(options)


def begin_registration(user: User, binding: str, *, require_verification: bool) -> str:
    """Creation options (JSON) for a new discoverable passkey of `user`."""
    rp = relying_party()
    handle = _user_handle(user)
    challenge = issue_challenge("register", binding, user_id=user.id,
                                data={"handle": handle.hex()})
    return _creation_options(rp, challenge, handle, user.email, user.name, list_passkeys(user),
                             require_verification)


def begin_signup(email: str, name: str, locale: str | None, binding: str) -> str:
    """Creation options (JSON) for the passkey of an account not made yet (sign-up)."""
    handle = secrets.token_bytes(32)
    challenge = issue_challenge("signup", binding, data={
        "handle": handle.hex(), "email": email, "name": name, "locale": locale})
    return _creation_options(relying_party(), challenge, handle, email, name, [], False)


def read_credential(raw: str | None, kind: str) -> dict:
    """The browser's answer as a dict, checked to be a WebAuthn answer of `kind`; else
    PasskeyUnreadable (nothing is looked up or stored)."""
    try:
        credential = json.loads(raw or "")
        parse = (parse_registration_credential_json if kind == "register"
                 else parse_authentication_credential_json)
        parse(credential)
    except (*UNREADABLE, json.JSONDecodeError) as exc:
        raise PasskeyUnreadable() from exc
    if not isinstance(credential, dict):
        raise PasskeyUnreadable()
    return credential


def _verified_registration(credential: dict, challenge: str, verify: bool):
    rp = relying_party()
    try:
        return verify_registration_response(
            credential=credential, expected_challenge=_decode(challenge), expected_rp_id=rp.id,
            expected_origin=rp.origin,
            require_user_verification=verify)
    except UNREADABLE as exc:
        raise PasskeyUnreadable() from exc
    except WebAuthnException as exc:
        if verify and "verif" in str(exc).lower():
            raise VerificationRequired() from exc
        raise PasskeyRefused() from exc


def _store(user: User, name: str, handle: bytes, verified, credential: dict) -> Passkey:
    if db.session.scalar(select(Passkey.id).where(
            Passkey.credential_id == verified.credential_id)) is not None:
        raise PasskeyAlreadyAdded()
    transports = credential.get("response", {}).get("transports") or []
    passkey = Passkey(
        user_id=user.id, name=name, credential_id=verified.credential_id, user_handle=handle,
        public_key=verified.credential_public_key, sign_count=verified.sign_count,
        backup_eligible=verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE,
        backed_up=verified.credential_backed_up, user_verified=verified.user_verified,
        transports=",".join(str(t) for t in transports if isinstance(t, str))[:120] or None)
    db.session.add(passkey)
    db.session.flush()
    return passkey


def finish_registration(user: User, credential: dict, name: str, binding: str | None, *,
                        require_verification: bool) -> Passkey:
    """Verify the browser's answer to `begin_registration` and keep the passkey as `name`."""
    row = take_challenge(credential, "register", binding)
    if row.user_id != user.id:
        raise PasskeyRefused()
    verified = _verified_registration(credential, row.challenge, require_verification)
    passkey = _store(user, name, bytes.fromhex(row.data["handle"]), verified, credential)
    note_change(user, "passkey_added", name=passkey.name)
    return passkey


def finish_signup(credential: dict, binding: str | None, name: str, register) -> Passkey | None:
    """Verify the answer to `begin_signup`, make the account with `register(email=, name=,
    locale=)` (the accounts service) and keep its first passkey. An address that has an account
    makes nothing (`register` e-mails its owner): None, which the answer does not tell."""
    row = take_challenge(credential, "signup", binding)
    verified = _verified_registration(credential, row.challenge, False)
    user = register(email=row.data["email"], name=row.data["name"], locale=row.data["locale"])
    if user is None:
        return None
    return _store(user, name, bytes.fromhex(row.data["handle"]), verified, credential)


def begin_sign_in(binding: str, *, user: User | None = None, verify: bool = False) -> str:
    """Request options (JSON): for anyone's discoverable passkey (no e-mail typed), or for one
    of `user`'s passkeys (the second step, user verification required)."""
    rp = relying_party()
    challenge = issue_challenge("signin" if user is None else "step", binding,
                                user_id=user.id if user else None)
    options = generate_authentication_options(
        rp_id=rp.id, challenge=challenge,
        allow_credentials=[_descriptor(p) for p in list_passkeys(user)] if user else [],
        user_verification=(UserVerificationRequirement.REQUIRED if verify or user
                           else UserVerificationRequirement.PREFERRED))
    return options_to_json(options)


@dataclass(frozen=True)
class PasskeyUse:
    user: User
    passkey: Passkey
    user_verified: bool


def finish_sign_in(credential: dict, binding: str | None, *, staff_check,
                   purpose: str = "signin", expected_user: User | None = None) -> PasskeyUse:
    """Verify an assertion: the challenge is ours and unused, the passkey is known (and the
    expected person's), the signature, origin, RP id, counter and backup flags hold; staff
    (`staff_check(user)`) must have been verified by the authenticator. Records the use."""
    row = take_challenge(credential, purpose, binding)
    raw_id = _raw_id(credential)
    passkey = db.session.scalar(select(Passkey).where(Passkey.credential_id == raw_id)
                                .with_for_update())
    if passkey is None:
        raise PasskeyUnknown()
    if row.user_id is not None and passkey.user_id != row.user_id:
        raise PasskeyUnknown()
    if expected_user is not None and passkey.user_id != expected_user.id:
        raise PasskeyUnknown()
    handle = credential["response"].get("userHandle")
    if handle and _decode(handle) != passkey.user_handle:
        raise PasskeyRefused()
    user = db.session.get(User, passkey.user_id)
    must_verify = purpose == "step" or staff_check(user)
    rp = relying_party()
    try:
        verified = verify_authentication_response(
            credential=credential, expected_challenge=_decode(row.challenge),
            expected_rp_id=rp.id, expected_origin=rp.origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=must_verify)
    except UNREADABLE as exc:
        raise PasskeyUnreadable() from exc
    except WebAuthnException as exc:
        if must_verify and "verif" in str(exc).lower():
            raise VerificationRequired() from exc
        raise PasskeyRefused() from exc
    eligible = verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE
    if eligible != passkey.backup_eligible:
        raise PasskeyRefused()  # backup eligibility is fixed for a credential's life
    passkey.sign_count = verified.new_sign_count
    passkey.backed_up = verified.credential_backed_up
    passkey.last_used_at = utcnow()
    db.session.flush()
    return PasskeyUse(user=user, passkey=passkey, user_verified=verified.user_verified)


def _raw_id(credential: dict) -> bytes:
    try:
        return _decode(credential["rawId"])
    except (KeyError, TypeError) as exc:
        raise PasskeyUnreadable() from exc


def rename_passkey(passkey: Passkey, name: str) -> Passkey:
    """Give a passkey another name."""
    passkey.name = name
    db.session.flush()
    return passkey


def remove_passkey(passkey: Passkey) -> None:
    """Forget a passkey: it no longer signs anyone in here."""
    note_change(db.session.get(User, passkey.user_id), "passkey_removed", name=passkey.name)
    db.session.delete(passkey)
    db.session.flush()
