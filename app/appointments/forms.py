from datetime import UTC, date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from app.core.forms import FIRST_DATE, LAST_DATE, clean_line, options, plausible_date, plausible_day
from app.core.money import MoneyField
from app.schedule.forms import WEEKDAYS


class SessionTypeForm(FlaskForm):
    name_en = StringField(_l("Name (English)"), filters=[clean_line], validators=[Length(max=80)])
    name_ar = StringField(_l("Name (Arabic)"), filters=[clean_line],
                          validators=[Optional(), Length(max=80)])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=60,
                                    validators=[InputRequired(), NumberRange(5, 480)])
    buffer_minutes = IntegerField(_l("Buffer before and after (minutes)"), default=0,
                                  validators=[InputRequired(), NumberRange(0, 120)])
    price = MoneyField(_l("Price"))
    active = BooleanField(_l("Customers can book it"), default=True)

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.price.label.text = _("Price (%(currency)s)", currency=currency)

    def validate_name_en(self, field):
        if not (field.data or "").strip() and not (self.name_ar.data or "").strip():
            raise ValidationError(_l("Give the session type a name in at least one language."))

    def values(self) -> dict:
        name = {k: v.strip() for k, v in (("en", self.name_en.data or ""),
                                          ("ar", self.name_ar.data or "")) if v.strip()}
        return {"name": name, "duration_minutes": self.duration_minutes.data,
                "buffer_minutes": self.buffer_minutes.data, "price_minor": self.price.minor,
                "currency": self.currency, "active": self.active.data}


class AvailabilityForm(FlaskForm):
    weekday = SelectField(_l("Day"), coerce=int, choices=options(WEEKDAYS),
                          validators=[InputRequired()])
    location_id = SelectField(_l("Location"), coerce=int, validators=[InputRequired()])
    starts = TimeField(_l("From"), validators=[InputRequired()])
    ends = TimeField(_l("Until"), validators=[InputRequired()])
    on_date = DateField(_l("Only on this date"), validators=[Optional(), plausible_date])

    def validate_ends(self, field):
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise ValidationError(_l("The end must be after the start."))


class TimeOffForm(FlaskForm):
    starts = DateTimeLocalField(_l("From"), format="%Y-%m-%dT%H:%M",
                                validators=[InputRequired(), plausible_date])
    ends = DateTimeLocalField(_l("Until"), format="%Y-%m-%dT%H:%M",
                              validators=[InputRequired(), plausible_date])
    reason = StringField(_l("Reason"), filters=[clean_line],
                         validators=[Optional(), Length(max=200)])

    def validate_ends(self, field):
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise ValidationError(_l("The end must be after the start."))


# --- the slot picker's query and the booking form (plain fields, read without WTForms) --------

MAX_ID = 2**31 - 1


def parse_type_id(value: str | None) -> int | None:
    """A session type id as sent, or None when absent or not an id."""
    if value and value.isascii() and value.isdigit() and int(value) <= MAX_ID:
        return int(value)
    return None


def parse_picker_day(value: str | None, today: date) -> date:
    """The picker's day from `?day=`: today when absent, unreadable, past or outside the
    plausible years (a link never carries those; clamping beats an error page)."""
    try:
        day = plausible_day(date.fromisoformat(value)) if value else None
    except ValueError:
        day = None
    return max(day or today, today)


def parse_slot(value: str | None) -> datetime | None:
    """A chosen slot's start, as the picker writes it (ISO 8601 with its UTC offset), in UTC;
    None when absent. ValueError when unreadable, without an offset or outside the plausible
    years (year 1 or 9999 overflows once shifted to UTC)."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None or not FIRST_DATE <= parsed.date() <= LAST_DATE:
        raise ValueError(value)
    return parsed.astimezone(UTC)
