from functools import cache
from zoneinfo import available_timezones

from babel.dates import get_timezone_location, get_timezone_name
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from app.core.forms import clean_line, options

PASSWORD = [DataRequired(), Length(min=8, max=128, message=_l("Use at least 8 characters."))]


class SignupForm(FlaskForm):
    name = StringField(_l("Your name"), filters=[clean_line],
                       validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=PASSWORD)


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email()])


class ResetForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=PASSWORD)
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


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
