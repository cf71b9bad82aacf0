from datetime import UTC, date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from app.appointments.services import KEEP_PHOTO
from app.core import images
from app.core.forms import (
    FIRST_DATE,
    LAST_DATE,
    clean_line,
    clean_text,
    options,
    plausible_date,
    plausible_day,
)
from app.core.i18n import translated
from app.core.money import MoneyField, OptionalMoneyField
from app.schedule.forms import WEEKDAYS, MultiCheckboxField, weekday_names


class SessionTypeForm(FlaskForm):
    name_en = StringField(_l("Name (English)"), filters=[clean_line], validators=[Length(max=80)])
    name_ar = StringField(_l("Name (Arabic)"), filters=[clean_line],
                          validators=[Optional(), Length(max=80)])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=60,
                                    validators=[InputRequired(), NumberRange(5, 480)])
    buffer_minutes = IntegerField(_l("Buffer before and after (minutes)"), default=0,
                                  validators=[InputRequired(), NumberRange(0, 120)])
    price = MoneyField(_l("Price"))
    plan_ids = MultiCheckboxField(_l("Passes whose credits pay for it"), coerce=int,
                                  validate_choice=True)
    cancel_cutoff_minutes = IntegerField(
        _l("Free cancellation until (minutes before; blank: the studio's)"),
        validators=[Optional(), NumberRange(0, 10080)])
    late_cancel_fee = OptionalMoneyField(_l("Late-cancel fee"))
    active = BooleanField(_l("Customers can book it"), default=True)

    def __init__(self, *args, currency: str, plans=(), **kwargs):
        """`plans`: (id, name) of the studio's plans with credits, the ones offered."""
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.price.label.text = _("Price (%(currency)s)", currency=currency)
        self.late_cancel_fee.label.text = _("Late-cancel fee (%(currency)s)", currency=currency)
        self.plan_ids.choices = options(plans)

    def validate_name_en(self, field):
        if not (field.data or "").strip() and not (self.name_ar.data or "").strip():
            raise ValidationError(_l("Give the session type a name in at least one language."))

    def values(self) -> dict:
        name = {k: v.strip() for k, v in (("en", self.name_en.data or ""),
                                          ("ar", self.name_ar.data or "")) if v.strip()}
        return {"name": name, "duration_minutes": self.duration_minutes.data,
                "buffer_minutes": self.buffer_minutes.data, "price_minor": self.price.minor,
                "currency": self.currency, "active": self.active.data,
                "plan_ids": list(self.plan_ids.data or []),
                "cancel_cutoff_minutes": self.cancel_cutoff_minutes.data,
                "late_cancel_fee_minor": self.late_cancel_fee.minor or 0}


PAY_BY = ("credit", "desk", "card")


def parse_pay_by(value: str | None) -> str | None:
    """How the customer chose to pay, or None (the best way there is); anything else is
    refused by the caller with a 422."""
    return value if value in PAY_BY else None


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

    @classmethod
    def for_studio(cls, studio, locations) -> "AvailabilityForm":
        """The form with the studio's days (in the order of its week) and locations."""
        form = cls(prefix="hours")
        form.weekday.choices = options(weekday_names(studio.first_weekday).items())
        form.location_id.choices = options((loc.id, translated(loc.name)) for loc in locations)
        return form


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


PHOTO_MAX_BYTES = 512 * 1024


class CoachProfileForm(FlaskForm):
    """A coach's profile: bio in Arabic and English, the studio's class types they teach, and a
    photo (PNG or JPEG of at most 512 KB, checked by its bytes), or removing it."""

    bio_ar = TextAreaField(_l("About the coach (Arabic)"), filters=[clean_text],
                           validators=[Optional(), Length(max=1500)])
    bio_en = TextAreaField(_l("About the coach (English)"), filters=[clean_text],
                           validators=[Optional(), Length(max=1500)])
    teaches = MultiCheckboxField(_l("Teaches"), coerce=int, validate_choice=True)
    photo = FileField(_l("Photo (PNG or JPEG, at most 512 KB)"))
    remove_photo = BooleanField(_l("Remove the photo"))

    def __init__(self, *args, class_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.class_types = {t.id: t for t in class_types}
        self.teaches.choices = options((t.id, translated(t.name)) for t in class_types)

    @classmethod
    def of(cls, profile, class_types):
        return cls(formdata=None, class_types=class_types,
                   bio_ar=(profile.bio or {}).get("ar") if profile else None,
                   bio_en=(profile.bio or {}).get("en") if profile else None,
                   teaches=[t.id for t in profile.teaches] if profile else [])

    def validate_photo(self, field):
        self.image = KEEP_PHOTO
        upload = field.data
        if upload is None or not getattr(upload, "filename", ""):
            return
        data = upload.read(PHOTO_MAX_BYTES + 1)
        if len(data) > PHOTO_MAX_BYTES:
            raise ValidationError(_l("The photo is larger than 512 KB."))
        kind = images.sniff(data)
        if kind not in (images.PNG, images.JPEG):
            raise ValidationError(_l("The photo must be a PNG or JPEG image."))
        self.image = (data, kind)

    def fields(self) -> dict:
        bio = {k: v for k, v in (("ar", self.bio_ar.data), ("en", self.bio_en.data)) if v}
        photo = None if self.remove_photo.data else self.image
        return dict(bio=bio, teaches=[self.class_types[i] for i in self.teaches.data or []],
                    photo=photo)
