"""Connecting a CalDAV calendar: all parsing and bounds of its fields."""

import ipaddress
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from app.core.forms import clean_line


def _inside(host: str) -> bool:
    """An address of this machine or its network (the worker would fetch it for anyone)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def web_address(form, field) -> None:
    parts = urlsplit(field.data or "")
    if parts.scheme not in ("https", "http") or not parts.hostname or " " in field.data:
        raise ValidationError(_l("Enter the calendar's address, starting with https://."))
    if current_app.config["PRODUCTION"] and (parts.scheme != "https"
                                             or _inside(parts.hostname)):
        raise ValidationError(_l("Enter the calendar's address, starting with https://."))


class ConnectionForm(FlaskForm):
    url = StringField(_l("Calendar address (CalDAV)"), filters=[clean_line],
                      validators=[DataRequired(), Length(max=500), web_address])
    username = StringField(_l("User name"), filters=[clean_line],
                           validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("App password"), validators=[DataRequired(), Length(max=200)])
