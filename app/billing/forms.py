from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    PasswordField,
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

from app.billing.models import DocumentKind, OrderStatus, PaymentMethod
from app.billing.queries import OrderFilters
from app.billing.queries.invoices import InvoiceFilters
from app.billing.services.taxes import RULES
from app.core.forms import clean_line, options, plausible_date
from app.core.money import MoneyField, to_input
from app.studios.models import BILINGUAL

STATUSES = [(OrderStatus.AWAITING_PAYMENT.value, _l("Awaiting payment")),
            (OrderStatus.PAID.value, _l("Paid")), (OrderStatus.CANCELLED.value, _l("Cancelled"))]
METHODS = [(PaymentMethod.CASH.value, _l("Cash")),
           (PaymentMethod.CARD_TERMINAL.value, _l("Card terminal")),
           (PaymentMethod.STRIPE.value, _l("Online card payment"))]


class OrderFilterForm(FlaskForm):
    """The orders list's filters, read from the query string (a GET: no CSRF token)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=options([("", _l("Any status")), *STATUSES]),
                         validators=[Optional()])
    date_from = DateField(_l("From"), validators=[Optional(), plausible_date])
    date_to = DateField(_l("To"), validators=[Optional(), plausible_date])
    search = StringField(_l("Customer"), filters=[clean_line],
                         validators=[Optional(), Length(max=100)])

    def validate_date_to(self, field):
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date must not be before the start date."))

    def query(self) -> dict:
        """The filters as typed, as query arguments for links that keep them (the pager): only
        these fields, so nothing else in the query string reaches url_for."""
        return {f.name: f.raw_data[0] for f in (self.status, self.date_from, self.date_to,
                                                 self.search) if f.raw_data and f.raw_data[0]}

    def filters(self) -> OrderFilters:
        """The filters that are valid (a field with an error filters nothing)."""
        def ok(f):
            return f.data if not f.errors else None

        return OrderFilters(status=OrderStatus(self.status.data) if ok(self.status) else None,
                            date_from=ok(self.date_from), date_to=ok(self.date_to),
                            search=(ok(self.search) or "").strip())


KINDS = [(DocumentKind.INVOICE.value, _l("Invoice")),
         (DocumentKind.CREDIT_NOTE.value, _l("Credit note"))]
MAX_RANGE_DAYS = 366  # a list or a print run covers a year at most


class InvoiceFilterForm(FlaskForm):
    """The invoices list's filters, from the query string (a GET: no CSRF token)."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Type"), choices=options([("", _l("Invoices and credit notes")),
                                                    *KINDS]), validators=[Optional()])
    date_from = DateField(_l("From"), validators=[Optional(), plausible_date])
    date_to = DateField(_l("To"), validators=[Optional(), plausible_date])
    search = StringField(_l("Customer or number"), filters=[clean_line],
                         validators=[Optional(), Length(max=100)])

    def validate_date_to(self, field):
        _check_range(self.date_from.data, field.data)

    def query(self) -> dict:
        """The filters as typed, for links that keep them (the pager, the CSV)."""
        return {f.name: f.raw_data[0] for f in (self.kind, self.date_from, self.date_to,
                                                 self.search) if f.raw_data and f.raw_data[0]}

    def filters(self) -> InvoiceFilters:
        """The filters that are valid (a field with an error filters nothing)."""
        def ok(f):
            return f.data if not f.errors else None

        return InvoiceFilters(kind=DocumentKind(self.kind.data) if ok(self.kind) else None,
                              date_from=ok(self.date_from), date_to=ok(self.date_to),
                              search=(ok(self.search) or "").strip())


def _check_range(first, last):
    if first and last:
        if last < first:
            raise ValidationError(_l("The end date must not be before the start date."))
        if (last - first).days >= MAX_RANGE_DAYS:
            raise ValidationError(_("Choose at most %(days)s days.", days=MAX_RANGE_DAYS))


class PrintRunForm(FlaskForm):
    """A print run: every invoice and credit note issued between two local dates."""

    date_from = DateField(_l("From"), validators=[InputRequired(), plausible_date])
    date_to = DateField(_l("To"), validators=[InputRequired(), plausible_date])

    def validate_date_to(self, field):
        _check_range(self.date_from.data, field.data)


class _AmountForm(FlaskForm):
    amount = MoneyField(_l("Amount"))

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.amount.label.text = _("Amount (%(currency)s)", currency=currency)


class PaymentForm(_AmountForm):
    method = SelectField(_l("Paid by"), choices=options(METHODS[:2]), validators=[InputRequired()])
    reference = StringField(_l("Reference (optional)"), filters=[clean_line],
                            validators=[Optional(), Length(max=120)])


class RefundForm(_AmountForm):
    reason = StringField(_l("Reason (optional)"), filters=[clean_line],
                         validators=[Optional(), Length(max=255)])


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


LANGUAGE_CHOICES = [("ar", _l("Arabic")), ("en", _l("English")),
                     (BILINGUAL, _l("Arabic and English on one page"))]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class TaxNumberForm(Form):
    label = StringField(_l("Label"), filters=[clean_line], validators=[Length(max=40)])
    value = StringField(_l("Number"), filters=[clean_line], validators=[Length(max=40)])

    def validate_value(self, field):
        if bool((self.label.data or "").strip()) != bool((field.data or "").strip()):
            raise ValidationError(_l("Give both the label and the number, or neither."))


class CustomTaxForm(Form):
    code = StringField(_l("Code"), filters=[_strip], validators=[
        Optional(),
        Regexp(r"^[A-Z][A-Z0-9]{0,7}\Z", message=_l("Use up to 8 capital letters or digits."))])
    name = StringField(_l("Name on invoices"), filters=[clean_line], validators=[Length(max=60)])
    rate = StringField(_l("Rate (%)"), filters=[_strip], validators=[
        Optional(), Regexp(r"^(100(\.0+)?|\d{1,2}(\.\d{1,4})?)\Z",
                           message=_l("Enter a rate between 0 and 100, such as 2.5."))])

    def validate_name(self, field):
        filled = [bool(self.code.data), bool(field.data), bool(self.rate.data)]
        if any(filled) and not all(filled):
            raise ValidationError(_l("Give the code, the name and the rate, "
                                     "or leave all three empty."))


class MoneySettingsForm(FlaskForm):
    booking_requires_pass = BooleanField(_l("Booking requires a pass"))
    prices_include_tax = BooleanField(_l("Prices include tax"))
    invoice_prefix = StringField(_l("Invoice number prefix"), filters=[_strip], validators=[
        InputRequired(), Regexp(r"^[A-Za-z0-9]{1,12}\Z", message=_l(
            "Use 1 to 12 Latin letters or digits, without spaces."))])
    invoice_language = SelectField(_l("Invoice language"), choices=options(LANGUAGE_CHOICES),
                                   validators=[Optional()])  # left out: kept as it is
    tax_numbers = FieldList(FormField(TaxNumberForm), label=_l("Tax registration numbers"),
                            min_entries=3, max_entries=3)
    tax_jurisdiction = SelectField(_l("Sales tax rules"), validators=[Optional()])
    custom_taxes = FieldList(FormField(CustomTaxForm), label=_l("Your own taxes"),
                             min_entries=2, max_entries=2)
    late_cancel_fee = MoneyField(_l("Late-cancellation fee"))
    no_show_fee = MoneyField(_l("No-show fee"))
    unpaid_orders_per_kind = IntegerField(_l("Unpaid orders a customer may hold per kind of plan"),
                                          validators=[Optional(), NumberRange(0, 20)])
    stripe_secret_key = PasswordField(_l("Stripe secret key"), filters=[_strip], validators=[
        Optional(), Regexp(r"^(sk|rk)_(test|live)_[A-Za-z0-9]{8,200}\Z",
                           message=_l("A Stripe secret key starts with sk_live_ or sk_test_."))])
    stripe_webhook_secret = PasswordField(_l("Stripe webhook signing secret"), filters=[_strip],
                                          validators=[Optional(), Regexp(
                                              r"^whsec_[A-Za-z0-9+/=]{8,200}\Z",
                                              message=_l("A webhook signing secret starts "
                                                         "with whsec_."))])
    remove_stripe = BooleanField(_l("Stop taking card payments online (forget the Stripe keys)"))

    def __init__(self, *args, currency: str = "USD", **kwargs):
        self.currency = currency
        super().__init__(*args, **kwargs)
        names = sorted((str(JURISDICTIONS.get(code, code)), code) for code in RULES)
        self.tax_jurisdiction.choices = options([("", _("No sales tax"))]
                                                + [(c, n) for n, c in names])

    @classmethod
    def for_studio(cls, studio) -> "MoneySettingsForm":
        currency = studio.currency
        return cls(formdata=None, currency=currency, data={
            "late_cancel_fee": to_input(studio.late_cancel_fee_minor, currency),
            "custom_taxes": [{"code": t["code"], "name": t["name"], "rate": t["rate"]}
                             for t in studio.custom_taxes][:2],
            "no_show_fee": to_input(studio.no_show_fee_minor, currency),
            "unpaid_orders_per_kind": studio.unpaid_orders_per_kind,
            "booking_requires_pass": studio.booking_requires_pass,
            "prices_include_tax": studio.prices_include_tax,
            "invoice_prefix": studio.invoice_prefix,
            "invoice_language": studio.invoice_language,
            "tax_numbers": list(studio.tax_numbers)[:3],
            "tax_jurisdiction": studio.default_location.tax_jurisdiction,
        })

    def settings(self) -> dict:
        """The fields as update_money_settings takes them (empty tax number rows dropped)."""
        return {
            "booking_requires_pass": self.booking_requires_pass.data,
            "prices_include_tax": self.prices_include_tax.data,
            "invoice_prefix": self.invoice_prefix.data,
            "invoice_language": self.invoice_language.data or None,
            "tax_numbers": [{"label": row["label"], "value": row["value"]}
                            for row in self.tax_numbers.data if row["value"]],
            "tax_jurisdiction": self.tax_jurisdiction.data or "",
            "custom_taxes": [row for row in self.custom_taxes.data if row["code"]],
            "late_cancel_fee_minor": self.late_cancel_fee.minor,
            "no_show_fee_minor": self.no_show_fee.minor,
            "unpaid_orders_per_kind": self.unpaid_orders_per_kind.data,
            "stripe_secret_key": self.stripe_secret_key.data or None,
            "stripe_webhook_secret": self.stripe_webhook_secret.data or None,
            "remove_stripe": self.remove_stripe.data,
        }
