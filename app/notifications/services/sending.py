"""The one place that decides what is sent, to whom, when and how.

`notify` picks the channels from the message's category and the person's preferences, renders
the message in their language, claims a delivery log row per channel under the dedup key (a
second sender of the same key finds it claimed and sends nothing), and sends at once or, for a
reminder or news inside their quiet hours, defers it to the hours' end. `deliver` sends a
queued or deferred row (the worker's job); temporary failures are retried with backoff,
permanent ones retire the address.
"""
from contextlib import contextmanager
from datetime import datetime, timedelta

from flask import current_app, g, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from jinja2_fragments import render_block
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core.db import dialect_insert, utcnow
from app.core.jobs import enqueue_after_commit
from app.core.urls import base_url_context
from app.extensions import db
from app.notifications import channels, texts
from app.notifications.channels import PermanentFailure, TemporaryFailure
from app.notifications.models import (
    ALWAYS,
    CATEGORY_OF,
    DEFAULT_CHOICES,
    DEFAULT_QUIET,
    DEFERRABLE,
    UNSUBSCRIBABLE,
    Category,
    Channel,
    Notification,
    NotificationPreference,
    Status,
    UndeliverableAddress,
)
from app.notifications.queries import live_subscriptions
from app.notifications.quiet import quiet_until
from app.notifications.services import push

DELIVER = "workers.jobs.notifications.deliver"
QUEUE = "notifications"


def render_plain(template: str, block: str, **context) -> str:
    """One block of an email template as plain text: the subject and the text part are not
    HTML, so nothing is escaped there (O'Brien stays O'Brien); the HTML part is escaped."""
    app = current_app._get_current_object()
    plain = app.extensions.get("fitflow_plain_jinja")
    if plain is None:
        plain = app.extensions["fitflow_plain_jinja"] = app.jinja_env.overlay(autoescape=False)
    app.update_template_context(context)
    return render_block(plain, template, block, **context)


def has_block(template: str, block: str) -> bool:
    return block in current_app.jinja_env.get_template(f"emails/{template}.html").blocks


def render(channel: str, template: str, locale: str, **context) -> dict:
    """The message for one channel in `locale`: subject, text and HTML for e-mail (with the
    one-click unsubscribe headers when given a link), the body for SMS, and for push the SMS
    text under the studio's name with the page to open."""
    name = f"emails/{template}.html"
    with base_url_context(), force_locale(locale):
        ctx = dict(lang=locale, **context)
        custom = texts.custom_parts(template, locale, ctx) if channel == Channel.EMAIL else None
        if custom is not None:  # the studio's own words, in the same layout
            name = f"emails/{texts.CUSTOM_TEMPLATE}.html"
            ctx.update(custom)
        subject = " ".join(render_plain(name, "subject", **ctx).split())
        if channel == Channel.SMS:
            return {"subject": subject, "body": render_plain(name, "sms", **ctx).strip()}
        if channel == Channel.PUSH:
            return push.payload(subject, render_plain(name, "sms", **ctx).strip(), locale,
                                context.get("studio"), context.get("url"))
        text = render_plain(name, "text", **ctx).strip() + "\n"
        if context.get("unsubscribe_url"):
            text += "\n" + _("Stop these messages: %(url)s", url=context["unsubscribe_url"]) + "\n"
        payload = {"subject": subject, "text": text, "html": render_template(name, **ctx)}
    if context.get("unsubscribe_url"):
        payload["headers"] = {"List-Unsubscribe": f"<{context['unsubscribe_url']}>",
                              "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return payload


_BATCH = "fitflow_notify_batch"


class _Known:
    """What a batch of messages read once for all of them."""

    def __init__(self, users):
        ids = [u.id for u in users]
        emails = [u.email for u in users if u.email]
        self.users = set(ids)
        self.prefs = {p.user_id: p for p in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id.in_(ids)))}
        self.emails = set(emails)
        self.retired = set(db.session.scalars(select(UndeliverableAddress.address).where(
            UndeliverableAddress.channel == Channel.EMAIL,
            UndeliverableAddress.address.in_(emails))))


@contextmanager
def batch(users):
    """`notify` for many people in a row (a batch of reminders): their preferences, retired
    e-mail addresses and their studios' own texts are read once for the batch, not once per
    message. An address a failure retires inside the block is known retired at once."""
    if g.get(_BATCH) is not None:
        yield
        return
    setattr(g, _BATCH, _Known(users))
    setattr(g, texts.MEMO, {})
    try:
        yield
    finally:
        g.pop(_BATCH, None)
        g.pop(texts.MEMO, None)


def preferences_of(user) -> NotificationPreference | None:
    known = g.get(_BATCH)
    if known is not None and user.id in known.users:
        return known.prefs.get(user.id)
    return db.session.get(NotificationPreference, user.id)


def is_retired(channel: str, address: str) -> bool:
    known = g.get(_BATCH)
    if known is not None and channel == Channel.EMAIL and address in known.emails:
        return address in known.retired
    return db.session.scalar(select(UndeliverableAddress.id).where(
        UndeliverableAddress.channel == channel, UndeliverableAddress.address == address)) \
        is not None


def targets(user, category: str, template: str,
            prefs: NotificationPreference | None) -> list[tuple[str, str]]:
    """(channel, address) pairs this message goes to: what the person chose for the category
    (security e-mail always), where they have a usable address."""
    if getattr(user, "deleted_at", None) is not None:  # a deleted account hears nothing
        return []
    chosen = set(ALWAYS.get(Category(category), ()))
    chosen |= set(prefs.channels(category) if prefs else DEFAULT_CHOICES[Category(category)])
    found = []
    if Channel.EMAIL in chosen and user.email:
        found.append((Channel.EMAIL.value, user.email))
    if (Channel.SMS in chosen and prefs is not None and prefs.sms_ready
            and channels.sms_configured() and has_block(template, "sms")):
        found.append((Channel.SMS.value, prefs.phone))
    if Channel.PUSH in chosen and has_block(template, "sms"):  # push shows the SMS text
        found += [(Channel.PUSH.value, sub.address) for sub in live_subscriptions(user)]
    return [(c, a) for c, a in found if not is_retired(c, a)]


def notify(user, template: str, *, studio=None, dedup_key: str | None = None,
           fallback_locale: str | None = None, attachments=(), now: datetime | None = None,
           **context) -> bool:
    """Send `emails/<template>.html` to `user` on the channels they chose for its category, in
    their language; False when nothing new was sent or queued (sent before under `dedup_key`,
    no usable address, nothing chosen)."""
    from app.notifications.services.preferences import unsubscribe_url

    now = now or utcnow()
    category = CATEGORY_OF[template]
    prefs = preferences_of(user)
    locale = user.locale or fallback_locale or (studio.default_language if studio else "en")
    until = held_until(user, template, studio, now)
    if category in UNSUBSCRIBABLE:
        context["unsubscribe_url"] = unsubscribe_url(user, category)
    context.update(user=user, studio=studio)
    sent = False
    for channel, address in targets(user, category, template, prefs):
        payload = render(channel, template, locale, **context)
        key = dedup_key
        if dedup_key and channel == Channel.PUSH:  # one row per device, each sent once
            key = f"{dedup_key[:119 - len(address)]}@{address}"
        row = claim(channel, address, payload, template=template, category=category,
                    user_id=user.id, studio_id=studio.id if studio is not None else None,
                    dedup_key=key, now=now, until=until)
        if row is None:
            continue
        sent = True
        if until is not None:
            enqueue_after_commit(DELIVER, row.id, queue=QUEUE, at=until)
        else:
            attempt(row, attachments, now)
    return sent


def held_until(user, template: str, studio, now: datetime) -> datetime | None:
    """The end of the quiet hours a message of `template` to `user` waits for at `now` (in
    their zone, else the studio's), or None when it goes at once."""
    if CATEGORY_OF[template] not in DEFERRABLE:
        return None
    prefs = preferences_of(user)
    start, end = (prefs.quiet_start, prefs.quiet_end) if prefs else DEFAULT_QUIET
    zone = user.timezone or (studio.timezone if studio is not None else None)
    return quiet_until(now, zone, start, end)


def send_email(user, template: str, *, dedup_key: str | None = None,
               fallback_locale: str = "en", attachments=(), **context) -> bool:
    """The e-mails of before the service: `notify` with the studio from the context."""
    studio = context.pop("studio", None)
    return notify(user, template, studio=studio, dedup_key=dedup_key,
                  fallback_locale=fallback_locale, attachments=attachments, **context)


def send_email_to(address: str, template: str, *, locale: str, attachments=(), studio=None,
                  dedup_key: str | None = None, **context) -> bool:
    """An e-mail to an address that may belong to nobody yet (an invitation), logged too."""
    if is_retired(Channel.EMAIL, address):
        return False
    context.setdefault("user", None)
    payload = render(Channel.EMAIL, template, locale, studio=studio, **context)
    user = context.get("user")
    row = claim(Channel.EMAIL, address, payload, template=template,
                category=CATEGORY_OF[template], user_id=user.id if user else None,
                studio_id=studio.id if studio is not None else None, dedup_key=dedup_key,
                now=utcnow())
    if row is None:
        return False
    attempt(row, attachments, utcnow())
    return True


def claim(channel: str, address: str, payload: dict, *, dedup_key: str | None, now: datetime,
          until: datetime | None = None, **fields) -> Notification | None:
    """The log row of this message on this channel (queued for now, or deferred `until`), or
    None when its dedup key is taken. A concurrent sender of the same key waits on the unique
    index until the first commits (then finds it taken) or rolls back (then takes it)."""
    values = dict(channel=channel, address=address, payload=payload, dedup_key=dedup_key,
                  subject=payload["subject"][:200], attempts=0, last_error="",
                  status=Status.DEFERRED if until is not None else Status.QUEUED,
                  due_at=until or now, **fields)
    if dedup_key is None:
        row = Notification(**values)
        db.session.add(row)
        db.session.flush()
        return row
    # One statement, no savepoint: the key taken is an answer, not an error.
    return db.session.scalar(
        dialect_insert(Notification).values(**values)
        .on_conflict_do_nothing(index_elements=[Notification.channel, Notification.dedup_key])
        .returning(Notification))


def attempt(row: Notification, attachments=(), now: datetime | None = None) -> bool:
    """One try at sending `row`: sent; or a retry scheduled with backoff (failed once they ran
    out); or, on a permanent failure, undeliverable with its address retired."""
    now = now or utcnow()
    row.attempts += 1
    try:
        if row.channel == Channel.EMAIL:
            channels.send_email(row.address, row.payload, attachments)
        elif row.channel == Channel.SMS:
            channels.send_sms(row.address, row.payload["body"])
        elif row.channel == Channel.PUSH:
            push.send(row.address, row.payload, now)
        else:
            raise PermanentFailure(f"no sender for {row.channel}")
    except PermanentFailure as exc:
        row.status, row.last_error, row.payload = Status.UNDELIVERABLE, str(exc)[:300], None
        retire(row.channel, row.address, str(exc))
        return False
    except TemporaryFailure as exc:
        row.last_error = str(exc)[:300]
        if attachments:  # not kept in the log: the job is retried whole, attachments and all
            raise
        delays = current_app.config["NOTIFY_RETRY_DELAYS"]
        if row.attempts > len(delays):
            row.status, row.payload = Status.FAILED, None
        else:
            row.status = Status.QUEUED
            row.due_at = now + timedelta(seconds=delays[row.attempts - 1])
            enqueue_after_commit(DELIVER, row.id, queue=QUEUE, at=row.due_at)
        db.session.flush()
        return False
    row.status, row.sent_at, row.payload, row.last_error = Status.SENT, now, None, ""
    db.session.flush()
    return True


def deliver(row_id: int, now: datetime | None = None) -> bool:
    """Send a queued or deferred row that is due (the worker's job); run twice, it sends once:
    the row is locked and its status checked."""
    now = now or utcnow()
    row = db.session.get(Notification, row_id, with_for_update=True)
    if row is None or row.status not in (Status.QUEUED, Status.DEFERRED):
        return False
    if not row.payload:  # nothing kept to send (a code, once its moment passed)
        row.status, row.last_error = Status.FAILED, row.last_error or "nothing to send"
        return False
    if row.due_at is not None and row.due_at > now + timedelta(seconds=5):
        enqueue_after_commit(DELIVER, row.id, queue=QUEUE, at=row.due_at)  # ran early
        return False
    if is_retired(row.channel, row.address):
        row.status, row.payload, row.last_error = Status.UNDELIVERABLE, None, "address retired"
        return False
    if row.user_id is not None and row.category in UNSUBSCRIBABLE:
        prefs = db.session.get(NotificationPreference, row.user_id)
        if prefs is not None and row.channel not in prefs.channels(row.category):
            # Turned off (the one-click link, say) while it waited for the quiet hours' end.
            row.status, row.payload, row.last_error = Status.FAILED, None, "unsubscribed"
            return False
    return attempt(row, (), now)


def overdue(now: datetime | None = None, grace: timedelta = timedelta(minutes=10),
            limit: int = 1000) -> list[int]:
    """Rows whose delivery job should have run by now: lost with a Redis that forgot its
    schedule, say. The worker's sweep queues them again (deliver sends each once)."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(Notification.id).where(Notification.status.in_((Status.QUEUED, Status.DEFERRED)),
                                      Notification.due_at <= now - grace)
        .order_by(Notification.due_at).limit(limit)))


def retire(channel: str, address: str, reason: str) -> None:
    """Stop using an address a permanent failure condemned (once, whoever races)."""
    if channel == Channel.PUSH:
        push.retire(address)
    if not is_retired(channel, address):
        try:
            with db.session.begin_nested():
                db.session.add(UndeliverableAddress(channel=channel, address=address,
                                                    reason=reason[:300]))
        except IntegrityError:
            pass
    known = g.get(_BATCH)
    if known is not None and channel == Channel.EMAIL:
        known.retired.add(address)


def already_sent(dedup_key: str) -> bool:
    return db.session.scalar(select(Notification.id).where(
        Notification.dedup_key == dedup_key, Notification.status == Status.SENT)) is not None
