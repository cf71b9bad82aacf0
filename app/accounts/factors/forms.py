"""Forms of passkeys and of the second step: all their parsing and checking."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, StringField
from wtforms.validators import DataRequired, Email, Length, Regexp

from app.core.forms import clean_line

PASSKEY_NAME = [DataRequired(message=_l("Give this passkey a name, such as “iPhone”.")),
                Length(max=60)]


class PasskeyNameForm(FlaskForm):
    name = StringField(_l("Passkey name"), filters=[clean_line], validators=PASSKEY_NAME)


class PasskeyAnswerForm(FlaskForm):
    """The browser's answer to a passkey request (JSON, read by the service), and a name for a
    passkey being added."""

    credential = HiddenField(validators=[DataRequired(), Length(max=16000)])
    name = StringField(_l("Passkey name"), filters=[clean_line], validators=[Length(max=60)])


class PasskeySignupForm(FlaskForm):
    name = StringField(_l("Your name"), filters=[clean_line],
                       validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])


class TotpConfirmForm(FlaskForm):
    code = StringField(_l("Code from the app"), filters=[lambda v: (v or "").replace(" ", "")],
                       validators=[DataRequired(), Regexp(r"^\d{6}$", message=_l(
                           "Type the 6 digits the app shows."))])


class SecondStepForm(FlaskForm):
    code = StringField(_l("Code from the app, or a recovery code"),
                       filters=[lambda v: (v or "").strip()],
                       validators=[DataRequired(), Length(max=40)])


class ReauthCodeForm(FlaskForm):
    """Confirming it is still them with the authenticator app (a recovery code is kept for a
    lost phone, so only the app's six digits here)."""

    code = StringField(_l("Code from the app"), filters=[lambda v: (v or "").replace(" ", "")],
                       validators=[DataRequired(), Regexp(r"^\d{6}$", message=_l(
                           "Type the 6-digit code your app shows."))])


class ResetSecondStepForm(FlaskForm):
    email = EmailField(_l("Staff member's email"), validators=[DataRequired(), Email()])
