"""Amounts typed by people ("150.00") to exact integer minor units, and back for form inputs.

Decimal only, never float; the number of decimals comes from Babel's currency data (SAR and
CAD have 2, KWD 3, JPY none), and more decimals than the currency has are refused, not rounded.
"""

import re
from decimal import Decimal

from babel import numbers
from flask_babel import gettext as _
from flask_babel import ngettext
from wtforms import StringField
from wtforms.validators import StopValidation

# Arabic-Indic and Persian digits and the Arabic decimal separator, as phones type them.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫", "01234567890123456789.")
_NUMBER = re.compile(r"-?(\d+(\.\d*)?|\.\d+)", re.ASCII)
MAX_MINOR = 2**31 - 1  # the integer columns' limit


class InvalidMoney(ValueError):
    """Why a typed amount is not a price (a translated sentence)."""


def precision(currency: str) -> int:
    return numbers.get_currency_precision(currency)


def parse_minor(text: str | None, currency: str) -> int:
    """"150.00" in `currency` as minor units (15000), exactly; InvalidMoney says what is wrong."""
    raw = (text or "").strip().translate(_DIGITS)
    if not raw:
        raise InvalidMoney(_("Enter an amount."))
    digits = precision(currency)
    if not _NUMBER.fullmatch(raw):
        raise InvalidMoney(_("Enter the amount as a number, such as %(example)s.",
                             example=to_input(150 * 10**digits, currency)))
    value = Decimal(raw)
    if value < 0:
        raise InvalidMoney(_("The amount cannot be negative."))
    if value > Decimal(MAX_MINOR).scaleb(-digits):
        raise InvalidMoney(_("That amount is too large."))
    # "12.50" is fine for a 2-decimal currency, "12.345" is not: never round money silently.
    if value != value.quantize(Decimal(1).scaleb(-digits)):
        raise InvalidMoney(ngettext(
            "%(currency)s amounts have at most %(num)s decimal place.",
            "%(currency)s amounts have at most %(num)s decimal places.", digits,
            currency=currency))
    return int(value.scaleb(digits))


def to_input(minor: int, currency: str) -> str:
    """Minor units as the plain decimal a form field shows ("150.00"), no grouping or symbol."""
    digits = precision(currency)
    return f"{Decimal(minor).scaleb(-digits):.{digits}f}"


class MoneyField(StringField):
    """An amount typed as a decimal in the form's `currency`; `.minor` holds the exact value."""

    minor: int | None = None

    def pre_validate(self, form):
        self.minor = None
        try:
            self.minor = parse_minor(self.data, form.currency)
        except InvalidMoney as exc:
            raise StopValidation(str(exc)) from None


class OptionalMoneyField(MoneyField):
    """A MoneyField that may be left empty (`.minor` is then None)."""

    def pre_validate(self, form):
        if not (self.data or "").strip():
            self.minor = None
            return
        super().pre_validate(form)
