from functools import cache
from zoneinfo import available_timezones

from babel.dates import get_timezone_location, get_timezone_name
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from app.accounts.passwords import MAX_LENGTH, MIN_LENGTH, is_common
from app.core.forms import clean_line, options


def _not_common(form, field):
    if field.data and is_common(field.data):
        raise ValidationError(_l("This password is one of the most common ones and is guessed "
                                 "first. Choose another, for example a few unrelated words."))


PASSWORD = [DataRequired(),
            Length(min=MIN_LENGTH, max=MAX_LENGTH,
                   message=_l("Use at least 12 characters (and at most 128).")),
            _not_common]


class SignupForm(FlaskForm):
    name = StringField(_l("Your name"), filters=[clean_line],
                       validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=PASSWORD)


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])


class ResetForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=PASSWORD)
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class PasswordChangeForm(ResetForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])


class EmailChangeForm(FlaskForm):
    email = EmailField(_l("New email address"), filters=[lambda v: v.strip() if v else v],
                       validators=[DataRequired(), Email(), Length(max=254)])


# The word typed to confirm deleting one's account, in the page's language (English always
# counts too: an Arabic page may be typed on a Latin keyboard).
DELETE_WORD = _l("DELETE")


def is_delete_word(typed: str | None) -> bool:
    """Whether `typed` is the word, in any case, spaces around it ignored."""
    typed = " ".join((typed or "").split()).casefold()
    return bool(typed) and typed in {str(DELETE_WORD).casefold(), "delete"}


class DeleteAccountForm(FlaskForm):
    confirm = StringField(_l("Type the word to confirm"), validators=[Length(max=40)])

    def validate_confirm(self, field):
        if not is_delete_word(field.data):
            raise ValidationError(_l("Type “%(word)s” to confirm, exactly as shown.",
                                     word=DELETE_WORD))


class ReauthForm(FlaskForm):
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


def valid_zone(form, field):
    """A WTForms validator: an IANA time zone name (Asia/Riyadh)."""
    if field.data and field.data not in available_timezones():
        raise ValidationError(_l("Enter a valid time zone, such as Asia/Riyadh."))


# The regions of the IANA database people live in; the rest are aliases kept for old systems
# (US/Eastern, Etc/GMT+3, SystemV/…) that would only double the list.
_REGIONS = ("Africa/", "America/", "Antarctica/", "Asia/", "Atlantic/", "Australia/", "Europe/",
            "Indian/", "Pacific/")


@cache
def zone_choices(locale: str) -> list[tuple[str, str]]:
    """(zone, "city — zone name") for every inhabited zone, in `locale`, sorted by city: the
    profile's searchable list (the browser matches what is typed against both)."""
    zones = sorted(z for z in available_timezones() if z.startswith(_REGIONS)) + ["UTC"]
    labelled = []
    for zone in zones:
        city = get_timezone_location(zone, locale=locale, return_city=True)
        name = get_timezone_name(zone, "long", locale=locale)
        labelled.append((zone, f"{city} — {name}" if name and name != city else city))
    return sorted(labelled, key=lambda pair: pair[1])


class ProfileForm(FlaskForm):
    name = StringField(_l("Your name"), filters=[clean_line],
                       validators=[DataRequired(), Length(max=120)])
    locale = SelectField(_l("Language"), choices=options([("", _l("Automatic")), ("ar", "العربية"),
                                                            ("en", "English")]),
                         validators=[Optional()])
    timezone = StringField(_l("Time zone"), filters=[lambda v: v.strip() if v else v],
                           validators=[Optional(), Length(max=64), valid_zone])


class StrengthForm(FlaskForm):
    """What the strength meter is sent as the person types: the new password, and on sign-up
    the name and address (a password made of them is weak). Never stored."""

    password = PasswordField()  # any length: the meter says when it is too long
    name = StringField()
    email = StringField()
