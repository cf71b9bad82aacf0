import re
import unicodedata

from babel.dates import get_day_names
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app.accounts.forms import valid_zone
from app.core import images
from app.core.forms import FiniteDecimalField, clean_line, clean_text, options
from app.core.i18n import current_language
from app.studios.models import COUNTRIES, PROVINCES, REMINDER_MAX_HOURS, REMINDERS, Role, role_name


class HoursField(StringField):
    """Whole hours as typed, "24, 2" (Arabic digits and comma too): a list, largest first."""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return ", ".join(str(h) for h in self.data or [])

    def process_formdata(self, valuelist):
        if not valuelist:  # not sent at all (an older form): the studio's hours stay
            self.data = None
            return
        text = valuelist[0] or ""
        text = text.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩،", "0123456789,"))
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if any(not p.isascii() or not p.isdigit() or len(p) > 3 for p in parts):
            self.data = None
            raise ValueError(_l("Write whole hours separated by commas, like 24, 2."))
        self.data = sorted({int(p) for p in parts}, reverse=True)


def _reminder_hours(form, field):
    if field.data is None:
        return
    if len(field.data) > REMINDERS or any(not 1 <= h <= REMINDER_MAX_HOURS for h in field.data):
        raise ValidationError(_l("Up to %(n)s reminders, each 1 to %(max)s hours before.",
                                 n=REMINDERS, max=REMINDER_MAX_HOURS))


class BookingPolicyForm(FlaskForm):
    booking_opens_days = IntegerField(_l("Booking opens (days before the class)"),
                                      validators=[InputRequired(), NumberRange(0, 365)])
    booking_closes_minutes = IntegerField(_l("Booking closes (minutes before the class)"),
                                          validators=[InputRequired(), NumberRange(0, 24 * 60)])
    cancel_cutoff_minutes = IntegerField(_l("Free cancellation until (minutes before the class)"),
                                         validators=[InputRequired(), NumberRange(0, 7 * 24 * 60)])
    waitlist_mode = SelectField(_l("When a spot frees up"), choices=options([
        ("auto", _l("Book the first person on the waitlist automatically")),
        ("claim", _l("Offer it to the first person, who must claim it in time")),
    ]))
    offer_hold_minutes = IntegerField(_l("How long an offer is held (minutes)"),
                                      validators=[InputRequired(), NumberRange(5, 24 * 60)])
    waitlist_cutoff_minutes = IntegerField(
        _l("Waitlist cutoff (minutes before the class)"),
        description=_l("No one is promoted or offered a spot this close to the start (0: "
                       "until the start)."),
        validators=[Optional(), NumberRange(0, 24 * 60)])
    free_late_cancels = IntegerField(
        _l("Free late cancels per customer in 30 days"),
        description=_l("A customer's first late cancels in 30 days cost nothing (0: none)."),
        validators=[Optional(), NumberRange(0, 10)])
    auto_waive_late_cancel = BooleanField(
        _l("Waive a late cancel when the waitlist fills the spot"))
    max_upcoming_bookings = IntegerField(
        _l("Upcoming bookings a customer may hold"),
        description=_l("Leave empty for no cap. A class type may set a lower cap."),
        validators=[Optional(), NumberRange(1, 100)])
    reminder_hours = HoursField(_l("Remind booked customers (hours before the class)"),
                                validators=[_reminder_hours])
    coaches_set_own_hours = BooleanField(
        _l("Coaches set their own weekly hours and time off"),
        description=_l("They edit them on their hours page in the coach area."))
    first_weekday = SelectField(_l("Weeks start on"), coerce=int, validate_choice=True)
    default_language = SelectField(_l("Default language"),
                                   choices=options([("ar", "العربية"), ("en", "English")]))
    load_unit = SelectField(_l("Training loads are logged in"),
                            choices=options([("kg", _l("Kilograms (kg)")),
                                             ("lb", _l("Pounds (lb)"))]))
    load_increment = FiniteDecimalField(_l("Weight steppers move by"), places=2,
                                  validators=[InputRequired(), NumberRange(0.25, 50)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Day names in the reader's language, from CLDR (ISO 1 Monday … 7 Sunday).
        names = get_day_names("wide", locale=current_language())
        self.first_weekday.choices = options((day, names[day - 1]) for day in (7, 1, 6))


LANGUAGES = [("ar", "العربية"), ("en", "English")]
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$")
LOGO_MAX_BYTES = 512 * 1024
_zone_filter = [lambda v: v.strip() if v else v]


def country_choices():
    return options([("SA", _l("Saudi Arabia")), ("CA", _l("Canada"))])


def province_choices():
    return options([("", _l("Choose a province"))] + sorted(PROVINCES.items(),
                                                            key=lambda p: str(p[1])))


def jurisdiction_choices():
    """Every jurisdiction a location may sell under: Saudi Arabia, each Canadian province."""
    return options([("SA", _l("Saudi Arabia"))]
                   + sorted(((code, _l("Canada — %(province)s", province=name))
                             for code, name in PROVINCES.items()), key=lambda p: str(p[1])))


def currency_choices():
    return options(sorted({(c.currency, c.currency) for c in COUNTRIES.values()}))


def suggest_slug(*names: str) -> str:
    """A web address from the first name that has Latin letters or digits: lower case,
    hyphens between words, at most 40 characters."""
    for name in names:
        ascii_name = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
        slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
        if len(slug) >= 3:
            return slug
    return ""


def _slug(form, field):
    if field.data and not SLUG.fullmatch(field.data):
        raise ValidationError(_l("Use 3 to 40 lower-case Latin letters, digits and hyphens, "
                                 "starting and ending with a letter or digit."))


def _named(form, ar, en, message):
    """At least one of a pair of Arabic and English names."""
    if not (ar.data or en.data):
        en.errors.append(message)
        return False
    return True


def name_map(ar: str | None, en: str | None) -> dict:
    """A content map of the languages given."""
    return {lang: text for lang, text in (("ar", ar), ("en", en)) if text}


class StartStudioForm(FlaskForm):
    """A new studio and its first location."""

    name_ar = StringField(_l("Studio name in Arabic"), filters=[clean_line],
                          validators=[Optional(), Length(max=120)])
    name_en = StringField(_l("Studio name in English"), filters=[clean_line],
                          validators=[Optional(), Length(max=120)])
    slug = StringField(_l("Web address"), filters=[lambda v: v.strip().lower() if v else v],
                       validators=[Optional(), Length(max=40), _slug])
    country = SelectField(_l("Country"), choices=country_choices, validate_choice=True)
    province = SelectField(_l("Province"), choices=province_choices, validate_choice=True)
    location_name_ar = StringField(_l("First location's name in Arabic"), filters=[clean_line],
                                   validators=[Optional(), Length(max=120)])
    location_name_en = StringField(_l("First location's name in English"),
                                   filters=[clean_line], validators=[Optional(), Length(max=120)])
    address = StringField(_l("Address"), filters=[clean_line],
                          validators=[Optional(), Length(max=255)])
    timezone = StringField(_l("Time zone"), filters=_zone_filter,
                           validators=[Optional(), Length(max=64), valid_zone])
    default_language = SelectField(_l("Default language"), choices=options(LANGUAGES),
                                   validate_choice=True)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        ok &= _named(self, self.name_ar, self.name_en, _l("Enter the studio's name."))
        if self.country.data == "CA" and not self.province.data:
            self.province.errors.append(_l("Choose the province: its sales taxes apply."))
            ok = False
        if self.country.data == "SA":
            self.province.data = ""
        if ok and not self.slug.data:
            self.slug.data = suggest_slug(self.name_en.data, self.name_ar.data)
            if not self.slug.data:
                self.slug.errors.append(_l("Choose a web address in Latin letters."))
                ok = False
        return ok

    def zone(self) -> str:
        """The zone typed, else the one the country (or province) suggests."""
        country = COUNTRIES[self.country.data]
        return self.timezone.data or country.provinces.get(self.province.data, country.zone)

    def location_name(self) -> dict:
        given = name_map(self.location_name_ar.data, self.location_name_en.data)
        return given or {"ar": "الفرع الرئيسي", "en": "Main location"}


class OperatorStudioForm(StartStudioForm):
    """A studio the operator starts for someone, invited to own it by e-mail."""

    owner_email = EmailField(_l("Owner's email"), validators=[DataRequired(), Email(),
                                                              Length(max=254)])


def _tax_numbers(form, field):
    for line in (field.data or "").splitlines():
        label, sep, value = line.partition(":")
        if not (sep and label.strip() and value.strip()):
            raise ValidationError(_l("Write one number per line as “Name: number”, for example "
                                     "“VAT: 300000000000003”."))


class LocationForm(FlaskForm):
    name_ar = StringField(_l("Name in Arabic"), filters=[clean_line],
                          validators=[Optional(), Length(max=120)])
    name_en = StringField(_l("Name in English"), filters=[clean_line],
                          validators=[Optional(), Length(max=120)])
    address = StringField(_l("Address"), filters=[clean_line],
                          validators=[Optional(), Length(max=255)])
    timezone = StringField(_l("Time zone"), filters=_zone_filter,
                           validators=[DataRequired(), Length(max=64), valid_zone])
    tax_jurisdiction = SelectField(_l("Tax rules"), choices=jurisdiction_choices,
                                   validate_choice=True)
    currency = SelectField(_l("Currency"), choices=currency_choices, validate_choice=True)
    tax_numbers = TextAreaField(_l("Registration numbers"), filters=[clean_text],
                                validators=[Optional(), Length(max=500), _tax_numbers])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return _named(self, self.name_ar, self.name_en, _l("Enter the location's name.")) and ok

    def fields(self) -> dict:
        """The location's fields as the services take them."""
        numbers = [{"label": label.strip(), "value": value.strip()} for label, _sep, value in
                   (line.partition(":") for line in (self.tax_numbers.data or "").splitlines())]
        return dict(name=name_map(self.name_ar.data, self.name_en.data),
                    address=self.address.data or "", timezone=self.timezone.data,
                    tax_jurisdiction=self.tax_jurisdiction.data, currency=self.currency.data,
                    tax_numbers=numbers)

    @classmethod
    def of(cls, location):
        """The form filled from a location."""
        return cls(formdata=None, name_ar=location.name.get("ar"),
                   name_en=location.name.get("en"), address=location.address,
                   timezone=location.timezone, tax_jurisdiction=location.tax_jurisdiction,
                   currency=location.currency,
                   tax_numbers="\n".join(f"{n['label']}: {n['value']}"
                                         for n in location.tax_numbers or ()))


def new_location_form(studio) -> LocationForm:
    """An empty location form with the default location's zone, rules and currency."""
    home = studio.default_location
    return LocationForm(formdata=None, timezone=home.timezone, currency=home.currency,
                        tax_jurisdiction=home.tax_jurisdiction)


class RoomForm(FlaskForm):
    name_ar = StringField(_l("Room name in Arabic"), filters=[clean_line],
                          validators=[Optional(), Length(max=80)])
    name_en = StringField(_l("Room name in English"), filters=[clean_line],
                          validators=[Optional(), Length(max=80)])
    capacity = IntegerField(_l("Capacity (people)"),
                            validators=[InputRequired(), NumberRange(1, 1000)])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return _named(self, self.name_ar, self.name_en, _l("Enter the room's name.")) and ok

    def fields(self) -> dict:
        return dict(name=name_map(self.name_ar.data, self.name_en.data),
                    capacity=self.capacity.data)

    @classmethod
    def of(cls, room):
        """The form of an existing room, its fields named after it (room-<id>-capacity)."""
        form = cls(formdata=None, prefix=f"room-{room.id}", name_ar=room.name.get("ar"),
                   name_en=room.name.get("en"), capacity=room.capacity)
        form.room_id = room.id
        return form


def _pair(label_ar, label_en, *, text=False, max_length=120):
    kind, clean = (TextAreaField, clean_text) if text else (StringField, clean_line)
    return (kind(label_ar, filters=[clean], validators=[Optional(), Length(max=max_length)]),
            kind(label_en, filters=[clean], validators=[Optional(), Length(max=max_length)]))


class StudioProfileForm(FlaskForm):
    """What customers read about the studio."""

    name_ar, name_en = _pair(_l("Studio name in Arabic"), _l("Studio name in English"))
    contact_email = EmailField(_l("Contact email"),
                               validators=[Optional(), Email(), Length(max=254)])
    contact_phone = StringField(_l("Contact phone"), filters=[clean_line],
                                validators=[Optional(), Length(max=32)])
    website = StringField(_l("Website"), filters=[clean_line],
                          validators=[Optional(), Length(max=255)])
    about_ar, about_en = _pair(_l("About the studio, in Arabic"),
                               _l("About the studio, in English"), text=True, max_length=4000)
    terms_ar, terms_en = _pair(_l("Terms, in Arabic"), _l("Terms, in English"), text=True,
                               max_length=20000)
    privacy_ar, privacy_en = _pair(_l("Privacy notice, in Arabic"),
                                   _l("Privacy notice, in English"), text=True,
                                   max_length=20000)

    def validate_website(self, field):
        if field.data and not re.match(r"^https?://[^\s/]+\.[^\s]+$", field.data):
            raise ValidationError(_l("Enter a web address starting with https://"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return _named(self, self.name_ar, self.name_en, _l("Enter the studio's name.")) and ok

    def fields(self) -> dict:
        d = self.data
        return dict(name=name_map(d["name_ar"], d["name_en"]),
                    contact_email=d["contact_email"] or "", contact_phone=d["contact_phone"] or "",
                    website=d["website"] or "",
                    about=name_map(d["about_ar"], d["about_en"]),
                    terms=name_map(d["terms_ar"], d["terms_en"]),
                    privacy=name_map(d["privacy_ar"], d["privacy_en"]))

    @classmethod
    def of(cls, studio):
        values = {f"{key}_{lang}": (getattr(studio, key) or {}).get(lang)
                  for key in ("name", "about", "terms", "privacy") for lang in ("ar", "en")}
        return cls(formdata=None, contact_email=studio.contact_email,
                   contact_phone=studio.contact_phone, website=studio.website, **values)


class LogoForm(FlaskForm):
    """A PNG, JPEG or SVG logo of at most 512 KB; an SVG is cleaned down to shapes."""

    logo = FileField(_l("Logo (PNG, JPEG or SVG, at most 512 KB)"))

    def validate_logo(self, field):
        upload = field.data
        if upload is None or not getattr(upload, "filename", ""):
            raise ValidationError(_l("Choose an image file."))
        data = upload.read(LOGO_MAX_BYTES + 1)
        if len(data) > LOGO_MAX_BYTES:
            raise ValidationError(_l("The logo is larger than 512 KB."))
        kind = images.sniff(data)
        if kind is None:
            raise ValidationError(_l("The logo must be a PNG, JPEG or SVG image."))
        if kind == images.SVG:
            try:
                data = images.clean_svg(data)
            except images.NotAnImage:
                raise ValidationError(_l("This SVG file could not be read.")) from None
        self.image = (data, kind)




class _RoleChoice:
    """A role among those the person filling the form may give (`roles`)."""

    def _offer(self, roles) -> None:
        self.role.choices = options((role.value, role_name(role)) for role in roles)

    @property
    def chosen_role(self) -> Role:
        return Role(self.role.data)


class InviteForm(_RoleChoice, FlaskForm):
    email = EmailField(_l("Email"), filters=[clean_line],
                       validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), validate_choice=True)

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._offer(roles)


class RoleForm(_RoleChoice, FlaskForm):
    role = SelectField(_l("Role"), validate_choice=True)

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._offer(roles)
