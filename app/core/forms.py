"""What the domains' forms share."""

import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from wtforms import DecimalField, SelectChoice
from wtforms.validators import StopValidation


def options(pairs: Iterable[tuple]) -> list[SelectChoice]:
    """A select's choices from (value, label) pairs (WTForms 3.4 takes no plain tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


# Invisible characters that make a name lie about itself: bidi embeddings, overrides and
# isolates (U+202A-202E, U+2066-2069, the marks U+200E/U+200F, U+061C), zero-width space and
# no-break space (U+200B, U+FEFF), word joiner and invisible operators (U+2060-2064), soft
# hyphen. The zero-width joiner and non-joiner (U+200C, U+200D) stay: Arabic and Persian
# spelling needs them.
_INVISIBLE = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F,
                            0x061C, 0x200B, 0xFEFF, *range(0x2060, 0x2065), 0x00AD])


def clean_line(value):
    """A one-line text as typed, without control or invisible characters, its spaces folded
    (names, titles, references). A WTForms filter; None stays None."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", str(value)).translate(_INVISIBLE)
    value = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in value)
    return " ".join(value.split())


def clean_text(value):
    """A multi-line text (descriptions, notes) without control or invisible characters; line
    breaks and tabs stay. A WTForms filter; None stays None."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", str(value).replace("\r\n", "\n")).translate(_INVISIBLE)
    return "".join(c for c in value
                   if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Zl", "Zp")).strip()


# Dates people can mean: a booking system has no business before 2000 or after 2100, and
# arithmetic on year 1 or 9999 overflows (a week after 9999-12-31 does not exist).
FIRST_DATE, LAST_DATE = date(2000, 1, 1), date(2100, 12, 31)


def plausible_date(form, field):
    """A WTForms validator: the date (or date-time) lies between FIRST_DATE and LAST_DATE."""
    value = field.data
    if value is None:
        return
    day = value.date() if isinstance(value, datetime) else value
    if not FIRST_DATE <= day <= LAST_DATE:
        raise StopValidation(_("Enter a date between %(first)s and %(last)s.",
                               first=FIRST_DATE.year, last=LAST_DATE.year))


def plausible_day(value: date | None) -> date | None:
    """A date from a query string, or None when it lies outside the plausible range."""
    return value if value is not None and FIRST_DATE <= value <= LAST_DATE else None


class FiniteDecimalField(DecimalField):
    """A DecimalField that refuses NaN, sNaN and Infinity (Decimal accepts them; comparing one
    with a bound then raises instead of failing validation)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if isinstance(self.data, Decimal) and not self.data.is_finite():
            self.data = None
            raise ValueError(_("Enter a number."))


def refused(form, error):
    """A save the service refused (a clash, too little notice), kept with the form it came
    from so the page shows it above the fields (templates/_forms.html: form_errors)."""
    form.form_errors.append(str(error))
    return form
