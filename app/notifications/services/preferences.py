"""A person's notification choices, quiet hours and phone number; one-click unsubscribe."""
import hashlib
import hmac
import secrets
from datetime import datetime, time, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, update

from app.core.db import utcnow
from app.core.urls import external_url
from app.extensions import db
from app.notifications import channels
from app.notifications.errors import (
    BadUnsubscribeLink,
    NumberUndeliverable,
    SmsUnavailable,
    TooManyCodes,
)
from app.notifications.models import (
    CHOOSABLE,
    DEFAULT_CHOICES,
    DEFAULT_QUIET,
    UNSUBSCRIBABLE,
    Category,
    Channel,
    Notification,
    NotificationPreference,
    PushSubscription,
    Status,
)

CODE_LIFETIME = timedelta(minutes=10)
CODE_RESEND_AFTER = timedelta(seconds=60)
CODE_TRIES = 5


def preferences_for(user) -> NotificationPreference:
    """The person's preferences row, made with the defaults on first use."""
    return preferences_of_id(user.id)


def current_preferences(user) -> NotificationPreference:
    """The saved preferences, or the defaults (not saved) for someone who never chose."""
    return db.session.get(NotificationPreference, user.id) or _defaults(user.id)


def _defaults(user_id: int) -> NotificationPreference:
    return NotificationPreference(
        user_id=user_id, choices={c.value: [ch.value for ch in DEFAULT_CHOICES[c]]
                                  for c in Category},
        quiet_start=DEFAULT_QUIET[0], quiet_end=DEFAULT_QUIET[1], phone="", pending_phone="",
        phone_code_hash="", phone_code_tries=0)


def preferences_of_id(user_id: int) -> NotificationPreference:
    prefs = db.session.get(NotificationPreference, user_id)
    if prefs is None:
        prefs = _defaults(user_id)
        db.session.add(prefs)
        db.session.flush()
    return prefs


def update_preferences(user, choices: dict[str, list[str]], quiet_start: time | None,
                       quiet_end: time | None, *, actor) -> NotificationPreference:
    """Save the channels per category (only those a person may choose; security e-mail stays
    on) and the quiet hours (none when both bounds are empty)."""
    prefs = preferences_for(user)
    saved = {}
    for category in Category:
        allowed = {c.value for c in CHOOSABLE[category]}
        picked = [c for c in choices.get(category.value, []) if c in allowed]
        if category == Category.SECURITY:
            picked = [Channel.EMAIL.value, *picked]
        saved[category.value] = picked
    prefs.choices = saved
    prefs.quiet_start, prefs.quiet_end = quiet_start, quiet_end
    db.session.flush()
    return prefs


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="fitflow-unsubscribe")


def unsubscribe_url(user, category: str) -> str:
    token = _serializer().dumps([user.id, str(category)])
    return external_url("notifications.unsubscribe", token=token)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    try:
        user_id, category = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError) as exc:
        raise BadUnsubscribeLink() from exc
    if category not in {c.value for c in UNSUBSCRIBABLE}:
        raise BadUnsubscribeLink()
    return int(user_id), category


def unsubscribe(user_id: int, category: str) -> NotificationPreference:
    """Turn a category off on every channel (the link in the message; no sign-in needed)."""
    prefs = preferences_of_id(user_id)
    prefs.choices = {**prefs.choices, category: []}
    db.session.flush()
    return prefs


def _code_hash(user_id: int, phone: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{user_id}:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def start_phone_verification(user, phone: str, *, actor, now: datetime | None = None) -> str:
    """Text a six-digit code to `phone`; the number is used once the code comes back. Returns
    the delivery status of the code's message."""
    from app.notifications.services.sending import attempt, claim, is_retired, render

    now = now or utcnow()
    if not channels.sms_configured():
        raise SmsUnavailable()
    if is_retired(Channel.SMS, phone):
        raise NumberUndeliverable()
    prefs = preferences_for(user)
    sent_at = prefs.phone_code_expires_at and prefs.phone_code_expires_at - CODE_LIFETIME
    if sent_at and now - sent_at < CODE_RESEND_AFTER:
        raise TooManyCodes()
    code = f"{secrets.randbelow(10**6):06d}"
    prefs.pending_phone, prefs.phone_code_hash = phone, _code_hash(user.id, phone, code)
    prefs.phone_code_expires_at, prefs.phone_code_tries = now + CODE_LIFETIME, 0
    payload = render(Channel.SMS, "phone_code", user.locale or "en", user=user, code=code)
    row = claim(Channel.SMS, phone, payload, template="phone_code",
                category=Category.SECURITY, user_id=user.id, studio_id=None, dedup_key=None,
                now=now)
    attempt(row, (), now)
    if row.status == Status.UNDELIVERABLE:
        prefs.pending_phone, prefs.phone_code_hash = "", ""
    row.payload = None  # the code is not kept in the log, even while a retry waits
    if row.status == Status.QUEUED:
        row.status, row.last_error = Status.FAILED, (row.last_error or "")[:300]
    db.session.flush()
    return row.status


def confirm_phone(user, code: str, *, actor, now: datetime | None = None):
    """The code texted to the pending number: it becomes the number SMS goes to. A wrong code
    answers None (not an error: the try must be counted, so the transaction commits); after
    CODE_TRIES wrong ones the code is dead."""
    now = now or utcnow()
    prefs = preferences_for(user)
    if (not prefs.pending_phone or not prefs.phone_code_expires_at
            or prefs.phone_code_expires_at < now or prefs.phone_code_tries >= CODE_TRIES):
        return None
    prefs.phone_code_tries += 1
    expected = _code_hash(user.id, prefs.pending_phone, code.strip())
    if not hmac.compare_digest(expected, prefs.phone_code_hash):
        db.session.flush()
        return None
    prefs.phone, prefs.phone_verified_at = prefs.pending_phone, now
    prefs.pending_phone, prefs.phone_code_hash, prefs.phone_code_expires_at = "", "", None
    db.session.flush()
    return prefs


def remove_phone(user, *, actor) -> NotificationPreference:
    prefs = preferences_for(user)
    prefs.phone, prefs.phone_verified_at, prefs.pending_phone = "", None, ""
    db.session.flush()
    return prefs


def forget_recipient(user) -> None:
    """Everything that reaches a person whose account is deleted: their choices and phone,
    their devices' push subscriptions, what waits to be sent to them (dropped), and the
    addresses in their delivery log (the rows stay, as counts of what was sent)."""
    db.session.execute(delete(NotificationPreference)
                       .where(NotificationPreference.user_id == user.id))
    db.session.execute(delete(PushSubscription).where(PushSubscription.user_id == user.id))
    db.session.execute(
        update(Notification).where(Notification.user_id == user.id,
                                   Notification.status.in_((Status.QUEUED, Status.DEFERRED)))
        .values(status=Status.FAILED, last_error="account deleted", payload=None)
        .execution_options(synchronize_session=False))
    db.session.execute(update(Notification).where(Notification.user_id == user.id)
                       .values(address="", payload=None)
                       .execution_options(synchronize_session=False))
