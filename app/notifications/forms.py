"""Parsing the notification settings: channels per category, quiet hours, a phone number; and
a studio's own message texts."""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField, TimeField, ValidationError
from wtforms.validators import DataRequired, Length, Optional, Regexp
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
                  Channel.PUSH: _l("Push")}


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
