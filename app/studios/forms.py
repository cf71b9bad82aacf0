from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from app.billing.taxes import RULES


class BookingPolicyForm(FlaskForm):
    booking_opens_days = IntegerField(_l("Booking opens (days before the class)"),
                                      validators=[InputRequired(), NumberRange(0, 365)])
    booking_closes_minutes = IntegerField(_l("Booking closes (minutes before the class)"),
                                          validators=[InputRequired(), NumberRange(0, 24 * 60)])
    cancel_cutoff_minutes = IntegerField(_l("Free cancellation until (minutes before the class)"),
                                         validators=[InputRequired(), NumberRange(0, 7 * 24 * 60)])
    waitlist_mode = SelectField(_l("When a spot frees up"), choices=[
        ("auto", _l("Book the first person on the waitlist automatically")),
        ("claim", _l("Offer it to the first person, who must claim it in time")),
    ])
    offer_hold_minutes = IntegerField(_l("How long an offer is held (minutes)"),
                                      validators=[InputRequired(), NumberRange(5, 24 * 60)])
    default_language = SelectField(_l("Default language"),
                                   choices=[("ar", "العربية"), ("en", "English")])


# Names for the codes of app.billing.taxes.RULES (a code without a name shows as itself).
JURISDICTIONS = {
    "CA-AB": _l("Canada: Alberta"), "CA-BC": _l("Canada: British Columbia"),
    "CA-MB": _l("Canada: Manitoba"), "CA-NB": _l("Canada: New Brunswick"),
    "CA-NL": _l("Canada: Newfoundland and Labrador"), "CA-NS": _l("Canada: Nova Scotia"),
    "CA-NT": _l("Canada: Northwest Territories"), "CA-NU": _l("Canada: Nunavut"),
    "CA-ON": _l("Canada: Ontario"), "CA-PE": _l("Canada: Prince Edward Island"),
    "CA-QC": _l("Canada: Quebec"), "CA-SK": _l("Canada: Saskatchewan"),
    "CA-YT": _l("Canada: Yukon"), "SA": _l("Saudi Arabia"),
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class TaxNumberForm(Form):
    label = StringField(_l("Label"), filters=[_strip], validators=[Length(max=40)])
    value = StringField(_l("Number"), filters=[_strip], validators=[Length(max=40)])

    def validate_value(self, field):
        if bool((self.label.data or "").strip()) != bool((field.data or "").strip()):
            raise ValidationError(_l("Give both the label and the number, or neither."))


class MoneySettingsForm(FlaskForm):
    booking_requires_pass = BooleanField(_l("Booking requires a pass"))
    prices_include_tax = BooleanField(_l("Prices include tax"))
    invoice_prefix = StringField(_l("Invoice number prefix"), filters=[_strip], validators=[
        InputRequired(), Regexp(r"^[A-Za-z0-9]{1,12}\Z", message=_l(
            "Use 1 to 12 Latin letters or digits, without spaces."))])
    tax_numbers = FieldList(FormField(TaxNumberForm), label=_l("Tax registration numbers"),
                            min_entries=3, max_entries=3)
    tax_jurisdiction = SelectField(_l("Sales tax rules"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = sorted((str(JURISDICTIONS.get(code, code)), code) for code in RULES)
        self.tax_jurisdiction.choices = [("", _("No sales tax"))] + [(c, n) for n, c in names]

    @classmethod
    def for_studio(cls, studio) -> "MoneySettingsForm":
        return cls(formdata=None, data={
            "booking_requires_pass": studio.booking_requires_pass,
            "prices_include_tax": studio.prices_include_tax,
            "invoice_prefix": studio.invoice_prefix,
            "tax_numbers": list(studio.tax_numbers)[:3],
            "tax_jurisdiction": studio.locations[0].tax_jurisdiction if studio.locations else "",
        })

    def settings(self) -> dict:
        """The fields as update_money_settings takes them (empty tax number rows dropped)."""
        return {
            "booking_requires_pass": self.booking_requires_pass.data,
            "prices_include_tax": self.prices_include_tax.data,
            "invoice_prefix": self.invoice_prefix.data,
            "tax_numbers": [{"label": row["label"], "value": row["value"]}
                            for row in self.tax_numbers.data if row["value"]],
            "tax_jurisdiction": self.tax_jurisdiction.data or "",
        }
