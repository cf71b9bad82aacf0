from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.forms import clean_line, clean_text, options, plausible_date
from app.core.i18n import translated, weekdays_from
from app.core.money import OptionalMoneyField, to_input

WEEKDAYS = [(1, _l("Monday")), (2, _l("Tuesday")), (3, _l("Wednesday")), (4, _l("Thursday")),
            (5, _l("Friday")), (6, _l("Saturday")), (7, _l("Sunday"))]


WAITLIST_MODES = [("auto", _l("Book the first person on the waitlist automatically")),
                  ("claim", _l("Offer it to the first person, who must claim it in time"))]


def weekday_names(first_weekday: int) -> dict:
    """ISO weekday → name, in the order of a week that starts on `first_weekday`."""
    names = dict(WEEKDAYS)
    return {day: names[day] for day in weekdays_from(first_weekday)}


class ClassTypeForm(FlaskForm):
    # No Optional() here: it would stop the chain before validate_name_en on an empty name.
    name_en = StringField(_l("Name (English)"), filters=[clean_line], validators=[Length(max=80)])
    name_ar = StringField(_l("Name (Arabic)"), filters=[clean_line],
                          validators=[Optional(), Length(max=80)])
    description_en = TextAreaField(_l("Description (English)"), filters=[clean_text],
                                   validators=[Optional(), Length(max=2000)])
    description_ar = TextAreaField(_l("Description (Arabic)"), filters=[clean_text],
                                   validators=[Optional(), Length(max=2000)])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=60,
                                    validators=[InputRequired(), NumberRange(5, 600)])
    color = StringField(_l("Colour"), default="#0f766e",
                        validators=[DataRequired(), Regexp(r"^#[0-9a-fA-F]{6}$")])
    change_notice_hours = IntegerField(
        _l("Notice for changes (hours)"), default=0,
        description=_l("A class of this type can't be moved this close to its start (0: any "
                       "time before it starts). A substitute coach is always possible."),
        validators=[Optional(), NumberRange(0, 720)])

    def validate_name_en(self, field):
        if not (field.data or "").strip() and not (self.name_ar.data or "").strip():
            raise ValidationError(_l("Give the class type a name in at least one language."))

    def maps(self) -> dict:
        return {
            "name": {k: v.strip() for k, v in (("en", self.name_en.data or ""),
                                               ("ar", self.name_ar.data or "")) if v.strip()},
            "description": {k: v.strip() for k, v in (("en", self.description_en.data or ""),
                                                      ("ar", self.description_ar.data or ""))
                            if v.strip()},
            "duration_minutes": self.duration_minutes.data,
            "color": self.color.data,
            "change_notice_hours": self.change_notice_hours.data or 0,
        }


def fill_choices(form, *, class_types=(), locations=(), coaches=(), rooms=(),
                 first_weekday: int = 1):
    """Fill a timetable form's selects (each only where the form has it) with the studio's
    class types, locations, rooms and coaches, and its days in the order of the studio's
    week."""
    if getattr(form, "weekdays", None) is not None:
        form.weekdays.choices = options(weekday_names(first_weekday).items())
    if getattr(form, "class_type_id", None) is not None:
        form.class_type_id.choices = options((ct.id, translated(ct.name)) for ct in class_types)
    if getattr(form, "location_id", None) is not None:
        form.location_id.choices = options((loc.id, translated(loc.name)) for loc in locations)
    if getattr(form, "room_id", None) is not None:
        form.rooms = {room.id: room for room in rooms}
        form.room_id.choices = options([(0, _l("No room"))] + [
            (room.id, f"{translated(room.location.name)} · {translated(room.name)}")
            for room in rooms])
    form.coach_id.choices = options([(0, _l("No coach yet"))]
                                    + [(u.id, u.name) for u in coaches])
    return form


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class _RoomChoice:
    """A room picker: no room, or one of the location's rooms, big enough for the capacity.
    `location_id` is the form's location, else the one the class or series is at
    (`at_location`, set by the view)."""

    room_id = SelectField(_l("Room"), coerce=int, default=0, validators=[Optional()])
    rooms: dict = {}
    at_location: int | None = None

    def chosen_room(self):
        return self.rooms.get(self.room_id.data) if self.room_id.data else None

    def validate_room_id(self, field):
        room = self.chosen_room()
        if room is None:
            return
        location = getattr(self, "location_id", None)
        location = location.data if location is not None else self.at_location
        if room.location_id != location:
            raise ValidationError(_l("Choose a room of the class's location."))
        capacity = getattr(self.capacity, "data", None)
        if capacity and capacity > room.capacity:
            raise ValidationError(ngettext(
                "This room holds %(num)s person: lower the capacity or choose a bigger room.",
                "This room holds %(num)s people: lower the capacity or choose a bigger room.",
                room.capacity))


def _duration():
    # Optional: blank takes the class type's duration (app/schedule/services).
    return IntegerField(_l("Duration (minutes)"),
                        description=_l("Leave empty for the class type's duration."),
                        validators=[Optional(), NumberRange(5, 600)])


def _capacity():
    return IntegerField(_l("Capacity"), default=12,
                        validators=[InputRequired(), NumberRange(1, 500)])


def _last_day():
    return DateField(_l("Last day"), description=_l("Leave empty for no end: classes are kept "
                                                   "on the timetable weeks ahead."),
                     validators=[Optional(), plausible_date])


class SeriesForm(_RoomChoice, FlaskForm):
    # InputRequired, not DataRequired, for non-text fields: DataRequired replaces "not a valid
    # number/time/choice" with "This field is required." (and rejects a legitimate 0).
    class_type_id = SelectField(_l("Class type"), coerce=int, validators=[InputRequired()])
    location_id = SelectField(_l("Location"), coerce=int, validators=[InputRequired()])
    coach_id = SelectField(_l("Coach"), coerce=int, validators=[Optional()])
    weekdays = MultiCheckboxField(_l("Days"), coerce=int, choices=options(WEEKDAYS),
                                  validators=[DataRequired(_l("Choose at least one day."))])
    start_time = TimeField(_l("Start time"), validators=[InputRequired()])
    duration_minutes = _duration()
    capacity = _capacity()
    starts_on = DateField(_l("First day"), default=date.today,
                          validators=[InputRequired(), plausible_date])
    ends_on = _last_day()

    def validate_ends_on(self, field):
        first = getattr(self, "starts_on", None)
        first = first.data if first is not None else self.series_starts_on
        if first and field.data and field.data < first:
            raise ValidationError(_l("The last day must not be before the first day."))
        if first and field.data and (field.data - first).days > 366:
            raise ValidationError(_l("A series can cover at most one year."))


class SeriesEditForm(SeriesForm):
    """A series' days, time, duration, coach, capacity and last day (its type, location and
    first day stay)."""

    class_type_id = location_id = starts_on = None

    def __init__(self, *args, series_starts_on: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.series_starts_on = series_starts_on


class EndSeriesForm(FlaskForm):
    last_day = DateField(_l("Last class on"), validators=[InputRequired(), plausible_date])


class OneOffClassForm(_RoomChoice, FlaskForm):
    """A single class or event, outside any series."""

    class_type_id = SelectField(_l("Class type"), coerce=int, validators=[InputRequired()])
    location_id = SelectField(_l("Location"), coerce=int, validators=[InputRequired()])
    coach_id = SelectField(_l("Coach"), coerce=int, validators=[Optional()])
    day = DateField(_l("Date"), validators=[InputRequired(), plausible_date])
    start_time = TimeField(_l("Start time"), validators=[InputRequired()])
    duration_minutes = _duration()
    capacity = _capacity()


class ClassEditForm(_RoomChoice, FlaskForm):
    """One class: its date and time, duration, coach (a substitute), room and capacity."""

    coach_id = SelectField(_l("Coach"), coerce=int, validators=[Optional()])
    day = DateField(_l("Date"), validators=[InputRequired(), plausible_date])
    start_time = TimeField(_l("Start time"), validators=[InputRequired()])
    duration_minutes = IntegerField(_l("Duration (minutes)"),
                                    validators=[InputRequired(), NumberRange(5, 600)])
    capacity = _capacity()


class ClassTypeEditForm(ClassTypeForm):
    """A class type with its policies: each field left empty takes the studio's default, shown
    as the field's placeholder and hint (app/bookings/services/rules.py applies them)."""

    booking_opens_days = IntegerField(_l("Booking opens (days before the class)"),
                                      validators=[Optional(), NumberRange(0, 365)])
    booking_closes_minutes = IntegerField(_l("Booking closes (minutes before the class)"),
                                          validators=[Optional(), NumberRange(0, 24 * 60)])
    cancel_cutoff_minutes = IntegerField(_l("Free cancellation until (minutes before the class)"),
                                         validators=[Optional(), NumberRange(0, 7 * 24 * 60)])
    late_cancel_fee = OptionalMoneyField(_l("Late-cancellation fee"))
    no_show_fee = OptionalMoneyField(_l("No-show fee"))
    waitlist_mode = SelectField(_l("When a spot frees up"), default="")
    offer_hold_minutes = IntegerField(_l("How long an offer is held (minutes)"),
                                      validators=[Optional(), NumberRange(5, 24 * 60)])
    waitlist_cutoff_minutes = IntegerField(
        _l("Waitlist cutoff (minutes before the class)"),
        validators=[Optional(), NumberRange(0, 24 * 60)])
    free_late_cancels = IntegerField(_l("Free late cancels per customer in 30 days"),
                                     validators=[Optional(), NumberRange(0, 10)])
    auto_waive_late_cancel = SelectField(
        _l("Waive a late cancel when the waitlist fills the spot"), default="")
    max_upcoming_bookings = IntegerField(_l("Upcoming bookings a customer may hold"),
                                         validators=[Optional(), NumberRange(1, 100)])

    def __init__(self, *args, studio, **kwargs):
        super().__init__(*args, **kwargs)
        self.studio, self.currency = studio, studio.currency
        modes = dict(WAITLIST_MODES)
        yes_no = {True: _l("Yes"), False: _l("No")}
        defaults = {
            "booking_opens_days": studio.booking_opens_days,
            "booking_closes_minutes": studio.booking_closes_minutes,
            "cancel_cutoff_minutes": studio.cancel_cutoff_minutes,
            "late_cancel_fee": to_input(studio.late_cancel_fee_minor, studio.currency),
            "no_show_fee": to_input(studio.no_show_fee_minor, studio.currency),
            "offer_hold_minutes": studio.offer_hold_minutes,
            "waitlist_cutoff_minutes": studio.waitlist_cutoff_minutes,
            "free_late_cancels": studio.free_late_cancels,
            "max_upcoming_bookings": studio.max_upcoming_bookings,
        }
        for name, value in defaults.items():
            shown = _l("no cap") if value is None else value
            getattr(self, name).render_kw = {"placeholder": shown, "inputmode": "numeric"}
            getattr(self, name).description = _l(
                "Leave empty for the studio's default: %(value)s.", value=shown)
        self.late_cancel_fee.label.text = _l("Late-cancellation fee (%(currency)s)",
                                             currency=studio.currency)
        self.no_show_fee.label.text = _l("No-show fee (%(currency)s)", currency=studio.currency)
        for name in ("late_cancel_fee", "no_show_fee"):
            getattr(self, name).render_kw["inputmode"] = "decimal"
        self.waitlist_mode.choices = options(
            [("", _l("Studio default (%(value)s)", value=modes[str(studio.waitlist_mode)]))]
            + list(WAITLIST_MODES))
        self.auto_waive_late_cancel.choices = options(
            [("", _l("Studio default (%(value)s)",
                     value=yes_no[bool(studio.auto_waive_late_cancel)])),
             ("yes", _l("Yes")), ("no", _l("No"))])

    @classmethod
    def of(cls, class_type, studio) -> "ClassTypeEditForm":
        data = {"name_en": class_type.name.get("en", ""), "name_ar": class_type.name.get("ar", ""),
                "description_en": class_type.description.get("en", ""),
                "description_ar": class_type.description.get("ar", ""),
                "duration_minutes": class_type.duration_minutes, "color": class_type.color,
                "change_notice_hours": class_type.change_notice_hours}
        for name in ("booking_opens_days", "booking_closes_minutes", "cancel_cutoff_minutes",
                     "offer_hold_minutes", "waitlist_cutoff_minutes", "free_late_cancels",
                     "max_upcoming_bookings"):
            data[name] = getattr(class_type, name)
        for name in ("late_cancel_fee", "no_show_fee"):
            minor = getattr(class_type, f"{name}_minor")
            data[name] = "" if minor is None else to_input(minor, studio.currency)
        data["waitlist_mode"] = str(class_type.waitlist_mode or "")
        waive = class_type.auto_waive_late_cancel
        data["auto_waive_late_cancel"] = "" if waive is None else ("yes" if waive else "no")
        return cls(formdata=None, data=data, studio=studio)

    def validate_max_upcoming_bookings(self, field):
        cap = self.studio.max_upcoming_bookings
        if field.data is not None and cap is not None and field.data > cap:
            raise ValidationError(_l("A class type may lower the studio's cap (%(cap)s), not "
                                     "raise it.", cap=cap))

    def policies(self) -> dict:
        """The class type's policies (None: the studio's), as ClassType columns."""
        waive = self.auto_waive_late_cancel.data
        return {
            **{name: getattr(self, name).data for name in (
                "booking_opens_days", "booking_closes_minutes", "cancel_cutoff_minutes",
                "offer_hold_minutes", "waitlist_cutoff_minutes", "free_late_cancels",
                "max_upcoming_bookings")},
            "late_cancel_fee_minor": self.late_cancel_fee.minor,
            "no_show_fee_minor": self.no_show_fee.minor,
            "waitlist_mode": self.waitlist_mode.data or None,
            "auto_waive_late_cancel": None if not waive else waive == "yes",
        }
