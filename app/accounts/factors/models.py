"""Passkeys, authenticator-app secrets, recovery codes and WebAuthn challenges."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import TimestampMixin, UTCDateTime
from app.core.sealed import Sealed
from app.extensions import db


class Passkey(TimestampMixin, db.Model):
    """A WebAuthn credential a person registered, with what each use tells us about it."""

    __tablename__ = "passkeys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    credential_id: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    # WebAuthn's user handle: random, the same for all of a person's passkeys, never the id.
    user_handle: Mapped[bytes] = mapped_column(LargeBinary)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(default=0)
    # Backup eligibility never changes over a credential's life (WebAuthn L2 §6.1); the
    # backed-up state may. A change of eligibility is refused as a different authenticator.
    backup_eligible: Mapped[bool] = mapped_column(default=False)
    backed_up: Mapped[bool] = mapped_column(default=False)
    # Whether the authenticator verified the person (PIN, biometrics) when it was registered.
    user_verified: Mapped[bool] = mapped_column(default=False)
    transports: Mapped[str | None] = mapped_column(String(120))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TotpSecret(TimestampMixin, db.Model):
    """A person's authenticator-app secret; `confirmed_at` once they typed a first code."""

    __tablename__ = "totp_secrets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    secret: Mapped[str] = mapped_column(Sealed())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last 30-second step a code was accepted for: a code is good once (RFC 6238 §5.2).
    last_step: Mapped[int] = mapped_column(default=0)


class RecoveryCode(TimestampMixin, db.Model):
    """One single-use recovery code, stored salted and hashed (shown once, never again)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(100))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuthChallenge(db.Model):
    """A WebAuthn challenge handed to one browser for one purpose, good once until it expires."""

    __tablename__ = "auth_challenges"
    __table_args__ = (Index("ix_auth_challenges_expires_at", "expires_at"),)

    challenge: Mapped[str] = mapped_column(String(100), primary_key=True)  # base64url
    purpose: Mapped[str] = mapped_column(String(20))
    # A random value also kept in the browser's session: another browser cannot answer it.
    binding: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # What the answer needs besides the challenge (a sign-up's name, address and user handle).
    data: Mapped[dict | None] = mapped_column(JSON)
