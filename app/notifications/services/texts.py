"""A message kind's default and a draft of a studio's text, rendered with sample data for the
console (nothing is sent or stored)."""
from flask_babel import force_locale

from app.core.urls import base_url_context
from app.notifications.models import Channel
from app.notifications.services.sending import render
from app.notifications.texts import CUSTOM_TEMPLATE, fill, sample_context


def default_of(kind: str, studio, locale: str) -> dict:
    """The kind's default subject and text in `locale`, filled with sample data."""
    return render(Channel.EMAIL, kind, locale, **sample_context(kind, studio))


def preview_of(kind: str, studio, locale: str, subject: str, body: str) -> dict:
    """A checked draft filled with sample data, as the recipient would read it."""
    ctx = sample_context(kind, studio)
    with base_url_context(), force_locale(locale):
        parts = fill(subject, body, ctx) or {"custom_subject": "", "custom_body": ""}
    return render(Channel.EMAIL, CUSTOM_TEMPLATE, locale, **ctx, **parts)
