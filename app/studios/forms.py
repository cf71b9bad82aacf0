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
    default_language = SelectField(_l("Default language"),
                                   choices=options([("ar", "العربية"), ("en", "English")]))
    load_unit = SelectField(_l("Training loads are logged in"),
                            choices=options([("kg", _l("Kilograms (kg)")), ("lb", _l("Pounds (lb)"))]))
    load_increment = FiniteDecimalField(_l("Weight steppers move by"), places=2,
                                  validators=[InputRequired(), NumberRange(0.25, 50)])
