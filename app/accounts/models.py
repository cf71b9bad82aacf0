"""People, their signed-in sessions, the devices they signed in from, and the single-use links
emailed to them."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import TimestampMixin, UTCDateTime
from app.extensions import db


def new_pass_key() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for a customer added at the desk with a phone only (mail skips them).
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str | None] = mapped_column(String(64))
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_operator: Mapped[bool] = mapped_column(default=False)
    # Signs the member pass and its six-digit code (member_pass.py) and nothing else: a new
    # password rotates it, so a pass photographed before is void. Sessions and emailed links
    # have their own random secrets (AuthSession, AccountLink).
    pass_key: Mapped[str] = mapped_column(String(32), default=new_pass_key)
    # Set when the person deleted their account: the row stays for what points at it (orders,
    # invoices, the audit log), emptied of everything personal (services/deletion.py).
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


def is_staff(user: User) -> bool:
    """Staff for the session limits and the audit log: an operator, or on a studio's staff
    (`User.is_staff`, added by the studios domain and loaded with the signed-in user)."""
    return bool(user.is_operator or getattr(user, "is_staff", False))


class SessionKind:
    STAFF = "staff"
    CUSTOMER = "customer"


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta  # ends after this long without a request
    lifetime: timedelta  # and this long after it began, however busy (ASVS 3.3.2)


# Staff (anyone on a studio's staff, operators): 30 minutes idle, 12 hours in all. Customers'
# limits are settings (30 days idle and 90 in all by default).
STAFF_LIMITS = SessionLimits(idle=timedelta(minutes=30), lifetime=timedelta(hours=12))


def session_limits(staff: bool) -> SessionLimits:
    """How long a staff or a customer session may live."""
    if staff:
        return STAFF_LIMITS
    config = current_app.config
    return SessionLimits(idle=timedelta(days=config["CUSTOMER_SESSION_IDLE_DAYS"]),
                         lifetime=timedelta(days=config["CUSTOMER_SESSION_DAYS"]))


# last_seen_at is written at most this often (one UPDATE a minute, not one per request).
SEEN_EVERY = timedelta(minutes=1)


class AuthSession(TimestampMixin, db.Model):
    """One signed-in browser. The cookie holds a random token; only its SHA-256 is stored,
    so a copy of this table signs nobody in. Deleting the row ends the session at once."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    device: Mapped[str] = mapped_column(String(80), default="")
    place: Mapped[str] = mapped_column(String(50), default="")  # the address's network
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def ends_at(self, staff: bool) -> datetime:
        """When this session ends if nothing happens meanwhile; `staff` as the person is now
        (a customer made staff gets the staff limits from their next request on)."""
        limits = session_limits(staff or self.kind == SessionKind.STAFF)
        return min(self.last_seen_at + limits.idle, self.created_at + limits.lifetime)


class KnownDevice(TimestampMixin, db.Model):
    """A device label and network a person signed in from, and when they last did: the
    history a sign-in is compared with (services/devices.py). It outlives the sessions, which
    are deleted when they end."""

    __tablename__ = "known_devices"
    __table_args__ = (UniqueConstraint("user_id", "device", "place"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    device: Mapped[str] = mapped_column(String(80))
    place: Mapped[str] = mapped_column(String(50))
    last_signed_in_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LinkPurpose:
    VERIFY = "verify"
    RESET = "reset"
    EMAIL = "email"  # confirm a new address: sent to it, carries it (email_change.py)


class AccountLink(TimestampMixin, db.Model):
    """A link emailed for one purpose (confirm the address, choose a new password): a random
    nonce of its own, stored hashed, used once, expiring. Nothing in it comes from the
    session secret or the member pass."""

    __tablename__ = "account_links"
    __table_args__ = (Index("ix_account_links_user_purpose", "user_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254))  # the address it was sent to
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
