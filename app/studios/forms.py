from babel.dates import get_day_names
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    SelectField,
)
from wtforms.validators import (
    InputRequired,
    NumberRange,
)

from app.core.forms import FiniteDecimalField, options
from app.core.i18n import current_language


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
