from zoneinfo import available_timezones

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


def _valid_zone(form, field):
    if field.data and field.data not in available_timezones():
        raise ValidationError(_l("Enter a valid time zone, such as Asia/Riyadh."))


class ProfileForm(FlaskForm):
    name = StringField(_l("Your name"), filters=[clean_line],
                       validators=[DataRequired(), Length(max=120)])
    locale = SelectField(_l("Language"), choices=options([("", _l("Automatic")), ("ar", "العربية"),
                                                            ("en", "English")]),
                         validators=[Optional()])
    timezone = StringField(_l("Time zone"), validators=[Optional(), Length(max=64), _valid_zone])
