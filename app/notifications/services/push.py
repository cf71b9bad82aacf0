"""Web push: the browsers a person subscribed ("remind me on this device"), the payload the
service worker shows, and one send to one subscription."""
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.core.i18n import translated
from app.extensions import db
from app.notifications import channels
from app.notifications.channels import PermanentFailure
from app.notifications.models import Category, Channel, PushSubscription

PREFIX = "push:"


def subscribe(user, endpoint: str, p256dh: str, auth: str, label: str, *,
              actor) -> PushSubscription:
    """Remember this browser's subscription for `user` and send their reminders to push (what
    the button says). The same endpoint again (the page re-subscribing, another person signed
    in on a shared device) updates the one row: a device reminds whoever subscribed last."""
    from app.notifications.services.preferences import preferences_for

    row = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if row is not None and row.undeliverable:  # gone once: a fresh row, not a retired address
        db.session.delete(row)
        db.session.flush()
        row = None
    if row is None:
        row = PushSubscription(endpoint=endpoint)
        db.session.add(row)
    row.user_id, row.p256dh, row.auth, row.label = user.id, p256dh, auth, label
    row.undeliverable = False
    prefs = preferences_for(user)
    reminders = prefs.channels(Category.REMINDERS)
    if Channel.PUSH not in reminders:
        prefs.choices = {**prefs.choices,
                         Category.REMINDERS.value: [*map(str, reminders), Channel.PUSH.value]}
    db.session.flush()
    return row


def remove_subscription(subscription: PushSubscription, *, actor) -> None:
    """Stop pushing to a device (its owner's button on /me/notifications)."""
    db.session.delete(subscription)
    db.session.flush()


def payload(subject: str, body: str, locale: str, studio=None, url: str | None = None) -> dict:
    """What the service worker shows, in the recipient's language (rendered inside their
    locale): the studio's name and the subject as title, the short text as body, and the
    path to open on a tap (on our own site; anything else opens the home page)."""
    name = translated(studio.name, studio.default_language) if studio is not None else ""
    title = _("%(studio)s: %(subject)s", studio=name, subject=subject) if name else subject
    return {"subject": subject, "title": title, "body": body, "url": own_path(url),
            "lang": locale}


def own_path(url: str | None) -> str:
    """The path (and query) of `url` when it is on this site, else "/"."""
    if not url:
        return "/"
    parts, base = urlsplit(url), urlsplit(current_app.config["BASE_URL"])
    if (parts.scheme, parts.netloc) not in (("", ""), (base.scheme, base.netloc)):
        return "/"
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


def subscription_of(address: str) -> PushSubscription | None:
    if not address.startswith(PREFIX) or not address[len(PREFIX):].isdigit():
        return None
    return db.session.get(PushSubscription, int(address[len(PREFIX):]))


def send(address: str, message: dict, now: datetime) -> None:
    """Push one logged message to the subscription `address` names; a removed or retired one
    is a permanent failure."""
    row = subscription_of(address)
    if row is None or row.undeliverable:
        raise PermanentFailure("subscription removed")
    channels.send_push({"endpoint": row.endpoint, "keys": {"p256dh": row.p256dh,
                                                           "auth": row.auth}},
                       {k: message[k] for k in ("title", "body", "url", "lang")})
    row.last_used_at = now


def retire(address: str) -> None:
    """A push service said this subscription is gone (404/410): never use it again."""
    row = subscription_of(address)
    if row is not None:
        row.undeliverable = True
