"""Parsing the notification settings: channels per category, quiet hours, a phone number, a
browser's push subscription; and a studio's own message texts."""
import base64
import re
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.forms import options
from app.notifications.models import CHOOSABLE, Category, Channel
from app.notifications.texts import problems

CATEGORY_LABELS = {
    Category.SECURITY: _l("Account and security"),
    Category.TRANSACTIONAL: _l("Bookings and payments"),
    Category.REMINDERS: _l("Class reminders"),
    Category.NEWS: _l("News from your studios"),
}
CHANNEL_LABELS = {Channel.EMAIL: _l("E-mail"), Channel.SMS: _l("Text message (SMS)"),
                  Channel.PUSH: _l("On my devices (push)")}


class MultiCheckboxField(SelectMultipleField):  # the name _forms.html draws as checks
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _channels_field(category: Category):
    return MultiCheckboxField(CATEGORY_LABELS[category], choices=options(
        (c.value, CHANNEL_LABELS[c]) for c in CHOOSABLE[category]))


class PreferencesForm(FlaskForm):
    security = _channels_field(Category.SECURITY)
    transactional = _channels_field(Category.TRANSACTIONAL)
    reminders = _channels_field(Category.REMINDERS)
    news = _channels_field(Category.NEWS)
    quiet_start = TimeField(_l("Quiet from"), validators=[Optional()])
    quiet_end = TimeField(_l("Quiet until"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and (self.quiet_start.data is None) != (self.quiet_end.data is None):
            # Optional() ends each field's own checks when it is empty: the pair is checked here.
            self.quiet_end.errors = [_l("Give both times, or neither for no quiet hours.")]
            return False
        return valid

    def choices(self) -> dict[str, list[str]]:
        return {c.value: list(getattr(self, c.value).data or []) for c in Category}


def normal_phone(value):
    """+966 50 123 4567 → +966501234567 (spaces, dashes, dots and brackets dropped)."""
    return re.sub(r"[\s\-.()]", "", value) if isinstance(value, str) else value


class PhoneForm(FlaskForm):
    phone = StringField(_l("Mobile number"), filters=[normal_phone], validators=[
        DataRequired(), Length(max=16),
        Regexp(r"^\+[1-9][0-9]{7,14}$",
               message=_l("Write the number with its country code, like +966501234567."))])


class CodeForm(FlaskForm):
    code = StringField(_l("Code"), filters=[lambda v: v.strip() if isinstance(v, str) else v],
                       validators=[DataRequired(), Regexp(r"^[0-9]{6}$",
                                                          message=_l("The code has 6 digits."))])


UNUSABLE = _l("This browser's push subscription cannot be used.")


def _b64url_length(size: int, prefix: bytes = b""):
    """A validator: base64url (unpadded) of exactly `size` bytes, starting with `prefix`."""
    def check(form, field):
        value = field.data or ""
        try:
            if not re.fullmatch(r"[A-Za-z0-9_-]+={0,2}", value):
                raise ValueError
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        except ValueError:
            raw = b""
        if len(raw) != size or not raw.startswith(prefix):
            raise ValidationError(UNUSABLE)
    return check


class SubscriptionForm(FlaskForm):
    """A browser's PushSubscription as the page's script posts it (JSON, the CSRF token in a
    header): its endpoint and the keys (a P-256 point, a 16-byte secret) payloads go to."""

    class Meta:
        csrf = False  # CSRFProtect checks the X-CSRFToken header before the view runs

    endpoint = StringField(validators=[DataRequired(), Length(max=1024)])
    p256dh = StringField(validators=[DataRequired(), _b64url_length(65, b"\x04")])
    auth = StringField(validators=[DataRequired(), _b64url_length(16)])

    def validate_endpoint(self, field):
        url = urlsplit(field.data)
        # Browsers' push services are https; a plain-http one is the tests' own, outside
        # production (and our worker never POSTs to whatever address a user typed).
        schemes = ("https",) if current_app.config["PRODUCTION"] else ("https", "http")
        if url.scheme not in schemes or not url.hostname:
            raise ValidationError(UNUSABLE)


BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("SamsungBrowser", "Samsung Internet"),
            ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
           ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"),
           ("Linux", "Linux"))


def device_label(user_agent: str) -> str:
    """"Chrome, Android" from a User-Agent header: enough for its owner to tell devices apart."""
    agent = user_agent or ""
    browser = next((name for mark, name in BROWSERS if mark in agent), "")
    system = next((name for mark, name in SYSTEMS if mark in agent), "")
    return ", ".join(p for p in (browser, system) if p)[:120]


class MessageTextForm(FlaskForm):
    """A studio's subject and body for one message kind in one language; its placeholders are
    checked against the kind's (app/notifications/texts.py)."""

    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=5000)])

    def __init__(self, kind: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind

    def validate_subject(self, field):
        self._check(field)

    def validate_body(self, field):
        self._check(field)

    def _check(self, field):
        found = problems(self.kind, field.data or "")
        if found:
            raise ValidationError(found[0])
