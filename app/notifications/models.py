"""Notifications: one delivery log row per message and channel, each person's preferences, their
devices' web push subscriptions, the addresses a permanent failure retired, and the texts
studios wrote in place of the defaults."""
from datetime import datetime, time
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import TimestampMixin, UTCDateTime
from app.extensions import db


class Category(StrEnum):
    SECURITY = "security"  # the account itself: always sent, at once
    TRANSACTIONAL = "transactional"  # bookings and payments: at once
    REMINDERS = "reminders"  # deferred out of quiet hours; unsubscribable
    NEWS = "news"  # the studio's news: opt-in only; deferred; unsubscribable


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"  # web push to each of the person's subscribed devices


class Status(StrEnum):
    QUEUED = "queued"
    DEFERRED = "deferred"  # held until the recipient's quiet hours end
    SENT = "sent"
    FAILED = "failed"  # temporary failures until the retries ran out
    UNDELIVERABLE = "undeliverable"  # a permanent failure: the address is retired


DEFERRABLE = frozenset({Category.REMINDERS, Category.NEWS})
UNSUBSCRIBABLE = DEFERRABLE
# Channels a person may choose per category; e-mail for security cannot be turned off.
CHOOSABLE = {
    Category.SECURITY: (Channel.SMS,),
    Category.TRANSACTIONAL: (Channel.EMAIL, Channel.SMS, Channel.PUSH),
    Category.REMINDERS: (Channel.EMAIL, Channel.SMS, Channel.PUSH),
    Category.NEWS: (Channel.EMAIL, Channel.SMS, Channel.PUSH),
}
DEFAULT_CHOICES = {
    Category.SECURITY: [Channel.EMAIL],
    Category.TRANSACTIONAL: [Channel.EMAIL],
    Category.REMINDERS: [Channel.EMAIL],
    Category.NEWS: [],
}
ALWAYS = {Category.SECURITY: (Channel.EMAIL,)}
DEFAULT_QUIET = (time(22, 0), time(8, 0))

# Each message's category, by its template (templates/emails/<name>.html).
CATEGORY_OF = {
    "verify_email": Category.SECURITY,
    "password_reset": Category.SECURITY,
    "password_changed": Category.SECURITY,
    "signup_notice": Category.SECURITY,
    "sign_in_throttled": Category.SECURITY,
    "payment_settings_changed": Category.SECURITY,
    "phone_code": Category.SECURITY,
    "sign_in_changed": Category.SECURITY,
    "new_sign_in": Category.SECURITY,
    "email_change_requested": Category.SECURITY,
    "email_change_confirm": Category.SECURITY,
    "email_change_taken": Category.SECURITY,
    "account_deleted": Category.SECURITY,
    "customer_invite": Category.TRANSACTIONAL,
    "staff_invitation": Category.TRANSACTIONAL,
    "walk_in_invite": Category.TRANSACTIONAL,
    "receipt": Category.TRANSACTIONAL,
    "credit_note": Category.TRANSACTIONAL,
    "booking_confirmed": Category.TRANSACTIONAL,
    "booked_for_you": Category.TRANSACTIONAL,
    "booking_cancelled": Category.TRANSACTIONAL,
    "waitlist_joined": Category.TRANSACTIONAL,
    "waitlist_promoted": Category.TRANSACTIONAL,
    "waitlist_offer": Category.TRANSACTIONAL,
    "offer_expired": Category.TRANSACTIONAL,
    "class_changed": Category.TRANSACTIONAL,
    "class_cancelled": Category.TRANSACTIONAL,
    "class_reminder": Category.REMINDERS,
    "membership_renewed": Category.TRANSACTIONAL,
    "membership_frozen": Category.TRANSACTIONAL,
    "pass_expiring": Category.REMINDERS,
    "credits_low": Category.REMINDERS,
    "certificate_issued": Category.TRANSACTIONAL,
    "certificate_expiring": Category.REMINDERS,
    "session_booked": Category.TRANSACTIONAL,
    "session_changed": Category.TRANSACTIONAL,
    "session_cancelled": Category.TRANSACTIONAL,
    "session_reminder": Category.REMINDERS,
    "membership_renewing": Category.REMINDERS,
    "renewal_failed": Category.TRANSACTIONAL,
    "money_owed": Category.REMINDERS,  # a nudge, not a receipt: kept out of quiet hours
}


class Notification(TimestampMixin, db.Model):
    """One message to one address on one channel: the delivery log. The dedup key (unique per
    channel) makes a retried or doubled job send nothing twice; the payload holds what was
    rendered until it is sent (then it is cleared: it may carry sign-in links)."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("channel", "dedup_key"),
        CheckConstraint("status IN ('queued', 'deferred', 'sent', 'failed', 'undeliverable')",
                        name="status"),
        Index("ix_notifications_due", "due_at",
              postgresql_where="status IN ('queued', 'deferred')"),
        Index("ix_notifications_studio", "studio_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    studio_id: Mapped[int | None] = mapped_column(ForeignKey("studios.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16), default=Channel.EMAIL)
    category: Mapped[str] = mapped_column(String(40))
    template: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default=Status.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    dedup_key: Mapped[str | None] = mapped_column(String(120))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payload: Mapped[dict | None] = mapped_column(JSON)


class NotificationPreference(db.Model):
    """A person's choices: channels per category, quiet hours (in their own zone), and the phone
    number SMS goes to once a code proved it theirs."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    choices: Mapped[dict] = mapped_column(JSON, default=dict)  # {category: [channel, …]}
    quiet_start: Mapped[time | None] = mapped_column(Time, default=DEFAULT_QUIET[0])
    quiet_end: Mapped[time | None] = mapped_column(Time, default=DEFAULT_QUIET[1])
    phone: Mapped[str] = mapped_column(String(20), default="")
    phone_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pending_phone: Mapped[str] = mapped_column(String(20), default="")
    phone_code_hash: Mapped[str] = mapped_column(String(64), default="")
    phone_code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    phone_code_tries: Mapped[int] = mapped_column(default=0)

    def channels(self, category: str) -> list[str]:
        chosen = self.choices.get(category)
        return list(DEFAULT_CHOICES[Category(category)] if chosen is None else chosen)

    @property
    def sms_ready(self) -> bool:
        return bool(self.phone and self.phone_verified_at)


class PushSubscription(TimestampMixin, db.Model):
    """One browser's web push subscription (the endpoint its push service gave it and the keys
    the payload is encrypted to), labelled for its owner. A push service's 404/410 marks it
    undeliverable: it is never used again."""

    __tablename__ = "push_subscriptions"
    __table_args__ = (UniqueConstraint("endpoint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1024))
    p256dh: Mapped[str] = mapped_column(String(128))
    auth: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(120), default="")
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undeliverable: Mapped[bool] = mapped_column(default=False)

    @property
    def address(self) -> str:
        """Its name in the delivery log (an endpoint is a bearer secret and too long)."""
        return f"push:{self.id}"


class UndeliverableAddress(TimestampMixin, db.Model):
    """An address a permanent failure retired (a bounced mailbox, an invalid number): nothing
    is sent to it again until its owner sets it anew."""

    __tablename__ = "undeliverable_addresses"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(254))
    reason: Mapped[str] = mapped_column(String(300), default="")


class MessageText(TimestampMixin, db.Model):
    """A studio's own subject and body for one message kind in one language, in place of the
    template's (named placeholders only: app/notifications/texts.py)."""

    __tablename__ = "message_texts"
    __table_args__ = (UniqueConstraint("studio_id", "kind", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    locale: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
