"""Sales taxes: which components apply where and when, and how amounts in minor units split.

Pure functions over a dated rate table; no database. Amounts are integers in the minor unit of
the caller's currency (cents, halalas); the caller keeps the currency code alongside.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError

HUNDRED = Decimal(100)


class UnknownJurisdiction(DomainError):
    status = 422
    message = _l("No tax rules are known for %(jurisdiction)s on %(on)s.")


class InvalidTaxComponent(DomainError):
    status = 422
    message = _l("The tax component %(code)s is not valid.")  # `detail` says why, for logs


@dataclass(frozen=True)
class TaxComponent:
    code: str  # stable: invoices and totals key on it
    name: str | LazyString
    rate: Decimal  # percent, exact: Decimal("9.975")

    @classmethod
    def from_line(cls, line: dict) -> "TaxComponent":
        """The component behind a frozen tax line {code, name, rate, ...} (rate as a string)."""
        return cls(line["code"], line["name"], Decimal(line["rate"]))


@dataclass(frozen=True)
class TaxRule:
    component: TaxComponent
    valid_from: date
    valid_to: date | None = None  # inclusive; None = still in force

    def is_in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True)
class TaxLine:
    code: str
    name: str | LazyString
    rate: Decimal
    amount_minor: int


@dataclass(frozen=True)
class TaxBreakdown:
    net_minor: int
    taxes: tuple[TaxLine, ...]
    gross_minor: int

    @property
    def tax_minor(self) -> int:
        return sum(t.amount_minor for t in self.taxes)


@dataclass(frozen=True)
class InvoiceTaxes:
    lines: tuple[TaxBreakdown, ...]
    net_minor: int
    taxes: tuple[TaxLine, ...]  # one per tax code, each the sum of that code over the lines
    gross_minor: int

    @property
    def tax_minor(self) -> int:
        return sum(t.amount_minor for t in self.taxes)


def _rule(code, name, rate, valid_from, valid_to=None) -> TaxRule:
    return TaxRule(TaxComponent(code, name, Decimal(rate)), valid_from, valid_to)


def _gst() -> TaxRule:
    return _rule("GST", _l("GST"), "5", date(2008, 1, 1))


# Rates and effective dates from the official sources: Canada Revenue Agency, "GST/HST
# calculator (and rates)"; Revenu Québec, "QST rate"; ZATCA (Zakat, Tax and Customs
# Authority), VAT rate increase to 15 %. `valid_to` is the last day the rate applies.
RULES: dict[str, tuple[TaxRule, ...]] = {
    "CA-AB": (_gst(),),
    "CA-NT": (_gst(),),
    "CA-NU": (_gst(),),
    "CA-YT": (_gst(),),
    "CA-ON": (_rule("HST", _l("HST"), "13", date(2010, 7, 1)),),
    "CA-NB": (_rule("HST", _l("HST"), "15", date(2016, 7, 1)),),
    "CA-NL": (_rule("HST", _l("HST"), "15", date(2016, 7, 1)),),
    "CA-PE": (_rule("HST", _l("HST"), "15", date(2016, 10, 1)),),
    # Nova Scotia cut its provincial part from 10 % to 9 % on 1 April 2025.
    "CA-NS": (
        _rule("HST", _l("HST"), "15", date(2010, 7, 1), date(2025, 3, 31)),
        _rule("HST", _l("HST"), "14", date(2025, 4, 1)),
    ),
    "CA-BC": (_gst(), _rule("PST", _l("PST (British Columbia)"), "7", date(2013, 4, 1))),
    "CA-MB": (_gst(), _rule("RST", _l("RST (Manitoba)"), "7", date(2019, 7, 1))),
    "CA-SK": (_gst(), _rule("PST", _l("PST (Saskatchewan)"), "6", date(2017, 3, 23))),
    "CA-QC": (_gst(), _rule("QST", _l("QST"), "9.975", date(2013, 1, 1))),
    "SA": (
        _rule("VAT", _l("VAT"), "5", date(2018, 1, 1), date(2020, 6, 30)),
        _rule("VAT", _l("VAT"), "15", date(2020, 7, 1)),
    ),
}


def _covered_from(rules: Sequence[TaxRule]) -> date:
    # Before every code's first rule the table is incomplete (Manitoba in 2018 had GST and
    # an older RST rate): refuse rather than silently charge too little.
    first: dict[str, date] = {}
    for r in rules:
        first[r.component.code] = min(first.get(r.component.code, r.valid_from), r.valid_from)
    return max(first.values())


def _as_date(value) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    return date.fromisoformat(value)  # TypeError for anything but an ISO date string


def custom_rule(spec: dict) -> TaxRule:
    """Build a studio's own component from {code, name, rate, from, to}; `to` is inclusive."""
    code, rate = spec.get("code") or "", spec.get("rate")
    if isinstance(rate, float | bool) or not isinstance(rate, str | int | Decimal):
        raise InvalidTaxComponent(code=code, detail="rate must be a decimal string, not a float")
    try:
        rate, start, end = Decimal(rate), _as_date(spec["from"]), _as_date(spec.get("to"))
    except (ArithmeticError, KeyError, TypeError, ValueError) as exc:
        raise InvalidTaxComponent(code=code, detail=repr(exc)) from None
    if not code or not spec.get("name"):
        raise InvalidTaxComponent(code=code, detail="code and name are required")
    if not rate.is_finite() or not 0 <= rate <= HUNDRED:
        raise InvalidTaxComponent(code=code, detail="rate must be between 0 and 100")
    if end is not None and end < start:
        raise InvalidTaxComponent(code=code, detail="'to' is before 'from'")
    return TaxRule(TaxComponent(code, spec["name"], rate), start, end)


def rules_for(
    jurisdiction: str, on: date, custom_components: Iterable[dict] = ()
) -> list[TaxComponent]:
    """The tax components in force in `jurisdiction` on `on` (the tax point's local date),
    table rules first, then the studio's `custom_components` in force on that date."""
    if isinstance(on, datetime):
        raise TypeError("pass the local date of the tax point, not a datetime")
    rules = RULES.get(jurisdiction, ())
    found = [r.component for r in rules if r.is_in_force(on)]
    if not found or on < _covered_from(rules):
        raise UnknownJurisdiction(jurisdiction=jurisdiction, on=on.isoformat())
    for rule in map(custom_rule, custom_components):
        if rule.is_in_force(on):
            found.append(rule.component)
    codes = [c.code for c in found]
    if len(set(codes)) != len(codes):  # totals are kept per code: two GSTs would merge
        raise InvalidTaxComponent(code=", ".join(codes), detail="a tax code appears twice")
    return found


def _round(value: Decimal) -> int:
    # Half a minor unit goes away from zero (ROUND_HALF_UP), never to even.
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def compute(
    amount_minor: int, components: Sequence[TaxComponent], *, inclusive: bool, quantity: int = 1
) -> TaxBreakdown:
    """Split `amount_minor` × `quantity` into net, one rounded line per component, and gross.
    Exclusive: each tax is round(net × rate). Inclusive: gross is fixed and net absorbs the
    rounding, so net + Σ taxes == gross exactly."""
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
        raise TypeError("amount_minor must be an int (minor units)")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValueError("quantity must be a positive int")
    total = amount_minor * quantity
    # Inclusive: each tax is rate / (100 + Σ rates) of the gross, i.e. round(exact net × rate).
    divisor = HUNDRED + sum(c.rate for c in components) if inclusive else HUNDRED
    with localcontext(prec=40):  # exact for any realistic amount: a .5 is never misjudged
        taxes = tuple(
            TaxLine(c.code, c.name, c.rate, _round(total * c.rate / divisor)) for c in components
        )
    tax = sum(t.amount_minor for t in taxes)
    if inclusive:
        return TaxBreakdown(total - tax, taxes, total)
    return TaxBreakdown(total, taxes, total + tax)


def compute_lines(
    lines: Iterable[tuple[int, int]], components: Sequence[TaxComponent], *, inclusive: bool
) -> InvoiceTaxes:
    """Compute each (amount_minor, quantity) line, then sum net, gross and each tax code over
    the lines, so the invoice totals are exactly the sum of its lines."""
    done = tuple(compute(a, components, inclusive=inclusive, quantity=q) for a, q in lines)
    taxes = tuple(
        TaxLine(c.code, c.name, c.rate, sum(b.taxes[i].amount_minor for b in done))
        for i, c in enumerate(components)
    )
    return InvoiceTaxes(
        done, sum(b.net_minor for b in done), taxes, sum(b.gross_minor for b in done)
    )
