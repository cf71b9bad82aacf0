"""Render and send emails in the recipient's language; record each so it goes out once."""

from flask import render_template
from flask_babel import force_locale
from jinja2_fragments.flask import render_block
from sqlalchemy import select

from app.core.db import utcnow
from app.core.mail import build_message, send
from app.core.urls import base_url_context
from app.extensions import db
from app.notifications.models import Notification


def already_sent(dedup_key: str) -> bool:
    return db.session.scalar(
        select(Notification.id).where(Notification.dedup_key == dedup_key,
                                      Notification.sent_at.is_not(None))
    ) is not None


def send_email(user, template: str, *, dedup_key: str | None = None,
               fallback_locale: str = "en", attachments=(), **context) -> bool:
    """Send `emails/<template>.html` to `user` in their language; False if sent before.

    The template holds three blocks: subject, text and html.
    """
    if dedup_key and already_sent(dedup_key):
        return False
    locale = user.locale or fallback_locale
    with base_url_context(), force_locale(locale):
        name = f"emails/{template}.html"
        ctx = dict(user=user, lang=locale, **context)
        subject = render_block(name, "subject", **ctx).strip()
        text = render_block(name, "text", **ctx).strip() + "\n"
        html = render_template(name, **ctx)
    send(build_message(user.email, subject, text, html, attachments))
    if dedup_key:
        db.session.add(Notification(user_id=user.id, category=template, dedup_key=dedup_key,
                                    sent_at=utcnow()))
        db.session.flush()
    return True
