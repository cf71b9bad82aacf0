"""Render and send emails in the recipient's language; record each so it goes out once."""

from flask import current_app, render_template
from flask_babel import force_locale
from jinja2_fragments import render_block
from sqlalchemy import select

from app.core.db import utcnow
from app.core.mail import build_message, send
from app.core.urls import base_url_context
from app.extensions import db
from app.notifications.models import Notification


def render_plain(template: str, block: str, **context) -> str:
    """One block of an email template as plain text: the subject and the text part are not
    HTML, so nothing is escaped there (O'Brien stays O'Brien); the HTML part is escaped."""
    app = current_app._get_current_object()
    plain = app.extensions.get("fitflow_plain_jinja")
    if plain is None:
        plain = app.extensions["fitflow_plain_jinja"] = app.jinja_env.overlay(autoescape=False)
    app.update_template_context(context)
    return render_block(plain, template, block, **context)


def already_sent(dedup_key: str) -> bool:
    return db.session.scalar(
        select(Notification.id).where(Notification.dedup_key == dedup_key,
                                      Notification.sent_at.is_not(None))
    ) is not None


def send_email(user, template: str, *, dedup_key: str | None = None,
               fallback_locale: str = "en", attachments=(), **context) -> bool:
    """Send `emails/<template>.html` to `user` in their language; False if sent before or
    they have no address.

    The template holds three blocks: subject, text and html. A customer without an email
    (added at the desk with a phone only) is skipped: False.
    """
    if not user.email:
        return False
    if dedup_key and already_sent(dedup_key):
        return False
    send_email_to(user.email, template, locale=user.locale or fallback_locale,
                  attachments=attachments, user=user, **context)
    if dedup_key:
        db.session.add(Notification(user_id=user.id, category=template, dedup_key=dedup_key,
                                    sent_at=utcnow()))
        db.session.flush()
    return True


def send_email_to(address: str, template: str, *, locale: str, attachments=(),
                  **context) -> None:
    """Render `emails/<template>.html` in `locale` and send it to `address` (which may belong
    to nobody yet: an invitation)."""
    with base_url_context(), force_locale(locale):
        name = f"emails/{template}.html"
        ctx = dict(lang=locale, **context)
        subject = " ".join(render_plain(name, "subject", **ctx).split())
        text = render_plain(name, "text", **ctx).strip() + "\n"
        html = render_template(name, **ctx)
    send(build_message(address, subject, text, html, attachments))
