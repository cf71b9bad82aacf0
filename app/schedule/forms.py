from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
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
from app.core.i18n import weekdays_from

WEEKDAYS = [(1, _l("Monday")), (2, _l("Tuesday")), (3, _l("Wednesday")), (4, _l("Thursday")),
            (5, _l("Friday")), (6, _l("Saturday")), (7, _l("Sunday"))]


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
        }


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SeriesForm(FlaskForm):
    # InputRequired, not DataRequired, for non-text fields: DataRequired replaces "not a valid
    # number/time/choice" with "This field is required." (and rejects a legitimate 0).
    class_type_id = SelectField(_l("Class type"), coerce=int, validators=[InputRequired()])
    location_id = SelectField(_l("Location"), coerce=int, validators=[InputRequired()])
    coach_id = SelectField(_l("Coach"), coerce=int, validators=[Optional()])
    weekdays = MultiCheckboxField(_l("Days"), coerce=int, choices=options(WEEKDAYS),
                                  validators=[DataRequired(_l("Choose at least one day."))])
    start_time = TimeField(_l("Start time"), validators=[InputRequired()])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=60,
                                    validators=[InputRequired(), NumberRange(5, 600)])
    capacity = IntegerField(_l("Capacity"), default=12,
                            validators=[InputRequired(), NumberRange(1, 500)])
    starts_on = DateField(_l("First day"), default=date.today,
                          validators=[InputRequired(), plausible_date])
    ends_on = DateField(_l("Last day"), default=lambda: date.today() + timedelta(weeks=8),
                        validators=[InputRequired(), plausible_date])

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day must not be before the first day."))
        if self.starts_on.data and field.data and (field.data - self.starts_on.data).days > 366:
            raise ValidationError(_l("A series can cover at most one year."))
