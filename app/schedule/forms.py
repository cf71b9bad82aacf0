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
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

WEEKDAYS = [(1, _l("Monday")), (2, _l("Tuesday")), (3, _l("Wednesday")), (4, _l("Thursday")),
            (5, _l("Friday")), (6, _l("Saturday")), (7, _l("Sunday"))]


class ClassTypeForm(FlaskForm):
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=80)])
    name_ar = StringField(_l("Name (Arabic)"), validators=[Optional(), Length(max=80)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Optional(), Length(max=2000)])
    description_ar = TextAreaField(_l("Description (Arabic)"), validators=[Optional(), Length(max=2000)])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=60,
                                    validators=[DataRequired(), NumberRange(5, 600)])
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
                                                      ("ar", self.description_ar.data or "")) if v.strip()},
            "duration_minutes": self.duration_minutes.data,
            "color": self.color.data,
        }


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SeriesForm(FlaskForm):
    class_type_id = SelectField(_l("Class type"), coerce=int, validators=[DataRequired()])
    location_id = SelectField(_l("Location"), coerce=int, validators=[DataRequired()])
    coach_id = SelectField(_l("Coach"), coerce=int, validators=[Optional()])
    weekdays = MultiCheckboxField(_l("Days"), coerce=int, choices=WEEKDAYS,
                                  validators=[DataRequired(_l("Choose at least one day."))])
    start_time = TimeField(_l("Start time"), validators=[DataRequired()])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=60,
                                    validators=[DataRequired(), NumberRange(5, 600)])
    capacity = IntegerField(_l("Capacity"), default=12, validators=[DataRequired(), NumberRange(1, 500)])
    starts_on = DateField(_l("First day"), default=date.today, validators=[DataRequired()])
    ends_on = DateField(_l("Last day"), default=lambda: date.today() + timedelta(weeks=8),
                        validators=[DataRequired()])

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day must not be before the first day."))
        if self.starts_on.data and field.data and (field.data - self.starts_on.data).days > 366:
            raise ValidationError(_l("A series can cover at most one year."))
