from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.billing.models import OrderStatus, PaymentMethod
from app.billing.queries import OrderFilters
from app.core.money import MoneyField

STATUSES = [(OrderStatus.AWAITING_PAYMENT.value, _l("Awaiting payment")),
            (OrderStatus.PAID.value, _l("Paid")), (OrderStatus.CANCELLED.value, _l("Cancelled"))]
METHODS = [(PaymentMethod.CASH.value, _l("Cash")),
           (PaymentMethod.CARD_TERMINAL.value, _l("Card terminal")),
           (PaymentMethod.STRIPE.value, _l("Online card payment"))]


class OrderFilterForm(FlaskForm):
    """The orders list's filters, read from the query string (a GET: no CSRF token)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=[("", _l("Any status")), *STATUSES],
                         validators=[Optional()])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    search = StringField(_l("Customer"), validators=[Optional(), Length(max=100)])

    def validate_date_to(self, field):
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date must not be before the start date."))

    def filters(self) -> OrderFilters:
        """The filters that are valid (a field with an error filters nothing)."""
        def ok(f):
            return f.data if not f.errors else None

        return OrderFilters(status=OrderStatus(self.status.data) if ok(self.status) else None,
                            date_from=ok(self.date_from), date_to=ok(self.date_to),
                            search=(ok(self.search) or "").strip())


class _AmountForm(FlaskForm):
    amount = MoneyField(_l("Amount"))

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.amount.label.text = _("Amount (%(currency)s)", currency=currency)


class PaymentForm(_AmountForm):
    method = SelectField(_l("Paid by"), choices=METHODS[:2], validators=[InputRequired()])
    reference = StringField(_l("Reference (optional)"), validators=[Optional(), Length(max=120)])


class RefundForm(_AmountForm):
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=255)])
