"""The tax engine: the rate in force per jurisdiction and date, and exact splits in minor units.

Expected amounts below were worked out by hand (and with fractions), not by the code under test.
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.billing.services.taxes import (
    RULES,
    InvalidTaxComponent,
    TaxComponent,
    UnknownJurisdiction,
    compute,
    compute_lines,
    rules_for,
)
from app.core.errors import DomainError

ON = date(2025, 6, 1)

# jurisdiction: [(code, rate, exclusive tax on 10000, inclusive tax in 10000)], then the
# exclusive gross and the inclusive net of 10000 minor units.
TABLE = {
    "CA-AB": ([("GST", "5", 500, 476)], 10500, 9524),
    "CA-NT": ([("GST", "5", 500, 476)], 10500, 9524),
    "CA-NU": ([("GST", "5", 500, 476)], 10500, 9524),
    "CA-YT": ([("GST", "5", 500, 476)], 10500, 9524),
    "CA-ON": ([("HST", "13", 1300, 1150)], 11300, 8850),
    "CA-NB": ([("HST", "15", 1500, 1304)], 11500, 8696),
    "CA-NL": ([("HST", "15", 1500, 1304)], 11500, 8696),
    "CA-PE": ([("HST", "15", 1500, 1304)], 11500, 8696),
    "CA-NS": ([("HST", "14", 1400, 1228)], 11400, 8772),
    "CA-BC": ([("GST", "5", 500, 446), ("PST", "7", 700, 625)], 11200, 8929),
    "CA-MB": ([("GST", "5", 500, 446), ("RST", "7", 700, 625)], 11200, 8929),
    "CA-SK": ([("GST", "5", 500, 450), ("PST", "6", 600, 541)], 11100, 9009),
    # 997.5 rounds half up to 998; inclusive: 434.88 -> 435 and 867.58 -> 868.
    "CA-QC": ([("GST", "5", 500, 435), ("QST", "9.975", 998, 868)], 11498, 8697),
    "SA": ([("VAT", "15", 1500, 1304)], 11500, 8696),
}


def test_every_jurisdiction_in_the_table_is_tested():
    assert set(TABLE) == set(RULES)


@pytest.mark.parametrize("jurisdiction", TABLE)
def test_rates_in_force_mid_2025(jurisdiction):
    expected, _, _ = TABLE[jurisdiction]
    components = rules_for(jurisdiction, ON)
    assert [(c.code, c.rate) for c in components] == [
        (code, Decimal(r)) for code, r, *_ in expected
    ]
    assert all(type(c.rate) is Decimal for c in components)


@pytest.mark.parametrize("jurisdiction", TABLE)
def test_10000_exclusive(jurisdiction):
    expected, gross, _ = TABLE[jurisdiction]
    b = compute(10000, rules_for(jurisdiction, ON), inclusive=False)
    assert b.net_minor == 10000
    assert [(t.code, t.amount_minor) for t in b.taxes] == [(e[0], e[2]) for e in expected]
    assert b.gross_minor == gross == 10000 + b.tax_minor


@pytest.mark.parametrize("jurisdiction", TABLE)
def test_10000_inclusive(jurisdiction):
    expected, _, net = TABLE[jurisdiction]
    b = compute(10000, rules_for(jurisdiction, ON), inclusive=True)
    assert b.gross_minor == 10000
    assert [(t.code, t.amount_minor) for t in b.taxes] == [(e[0], e[3]) for e in expected]
    assert b.net_minor == net == 10000 - b.tax_minor


def test_lines_carry_translatable_names(ctx):
    names = {j: [str(c.name) for c in rules_for(j, ON)] for j in ("CA-BC", "CA-MB", "CA-QC", "SA")}
    assert names == {
        "CA-BC": ["GST", "PST (British Columbia)"],
        "CA-MB": ["GST", "RST (Manitoba)"],
        "CA-QC": ["GST", "QST"],
        "SA": ["VAT"],
    }
    line = compute(10000, rules_for("CA-SK", ON), inclusive=False).taxes[1]
    assert (line.code, str(line.name), line.rate) == ("PST", "PST (Saskatchewan)", Decimal(6))


@pytest.mark.parametrize(
    "jurisdiction, on, rate, tax",
    [
        ("CA-NS", date(2025, 3, 31), "15", 1500),
        ("CA-NS", date(2025, 4, 1), "14", 1400),
        ("SA", date(2020, 6, 30), "5", 500),
        ("SA", date(2020, 7, 1), "15", 1500),
    ],
)
def test_rate_changes_on_the_day(jurisdiction, on, rate, tax):
    (component,) = rules_for(jurisdiction, on)
    assert component.rate == Decimal(rate)
    assert compute(10000, [component], inclusive=False).taxes[0].amount_minor == tax


@pytest.mark.parametrize(
    "amount, rate, tax",
    [
        (1, "5", 0),  # 0.05
        (1, "9.975", 0),  # 0.09975
        (10, "5", 1),  # 0.5: half up, where half-even would give 0
        (50, "5", 3),  # 2.5: half-even would give 2
        (50, "13", 7),  # 6.5: half-even would give 6
        (150, "7", 11),  # 10.5: half-even would give 10
        (6000, "9.975", 599),  # 598.5: half-even would give 598
        (333, "9.975", 33),  # 33.21675
        (333, "15", 50),  # 49.95
        (995, "9.975", 99),  # 99.25125
        (995, "5", 50),  # 49.75
        (-50, "5", -3),  # a negative half goes away from zero too
    ],
)
def test_exclusive_rounding_is_half_up_per_line(amount, rate, tax):
    b = compute(amount, [TaxComponent("T", "T", Decimal(rate))], inclusive=False)
    assert (b.net_minor, b.taxes[0].amount_minor, b.gross_minor) == (amount, tax, amount + tax)


def test_inclusive_one_minor_unit_is_all_net():
    b = compute(1, rules_for("CA-QC", ON), inclusive=True)
    assert (b.net_minor, [t.amount_minor for t in b.taxes], b.gross_minor) == (1, [0, 0], 1)


def test_inclusive_net_absorbs_the_rounding_difference():
    # 1001 / 1.14975 = 870.62, but the taxes round to 44 (43.53) and 87 (86.84): the net is
    # 870 so the customer pays exactly the shown price.
    b = compute(1001, rules_for("CA-QC", ON), inclusive=True)
    assert [t.amount_minor for t in b.taxes] == [44, 87]
    assert (b.net_minor, b.gross_minor) == (870, 1001)


def test_tax_is_on_the_line_total_not_per_unit():
    # 3 x 333 at 13 % = 129.87 -> 130; rounding per unit would give 3 x 43 = 129.
    b = compute(333, rules_for("CA-ON", ON), inclusive=False, quantity=3)
    assert (b.net_minor, b.taxes[0].amount_minor, b.gross_minor) == (999, 130, 1129)


def test_invoice_totals_are_the_sum_of_the_lines():
    # Each 10 at 5 % is 0.5 -> 1; taxing the 30 total would give 1.5 -> 2. The invoice says 3.
    inv = compute_lines([(10, 1), (10, 1), (10, 1)], rules_for("CA-AB", ON), inclusive=False)
    assert [b.taxes[0].amount_minor for b in inv.lines] == [1, 1, 1]
    assert (inv.net_minor, inv.tax_minor, inv.gross_minor) == (30, 3, 33)


def test_invoice_sums_each_tax_code_over_the_lines():
    lines = [(333, 3), (995, 1), (6000, 2), (1001, 1)]
    for inclusive in (False, True):
        inv = compute_lines(lines, rules_for("CA-QC", ON), inclusive=inclusive)
        assert [t.code for t in inv.taxes] == ["GST", "QST"]
        for i, total in enumerate(inv.taxes):
            assert total.amount_minor == sum(b.taxes[i].amount_minor for b in inv.lines)
        assert inv.net_minor == sum(b.net_minor for b in inv.lines)
        assert inv.gross_minor == sum(b.gross_minor for b in inv.lines)
        assert inv.net_minor + inv.tax_minor == inv.gross_minor
    exclusive = compute_lines(lines, rules_for("CA-QC", ON), inclusive=False)
    # GST 49.95+49.75+600+50.05 -> 50+50+600+50; QST 99.65+99.25+1197+99.85 -> 100+99+1197+100
    assert [t.amount_minor for t in exclusive.taxes] == [750, 1496]


def half_up(value: Fraction) -> int:
    sign = -1 if value < 0 else 1
    return sign * int(abs(value) + Fraction(1, 2))


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    amount=st.integers(min_value=-(10**9), max_value=10**9),
    quantity=st.integers(min_value=1, max_value=500),
    jurisdiction=st.sampled_from(sorted(TABLE)),
    on=st.dates(min_value=date(2020, 7, 1), max_value=date(2035, 12, 31)),
)
def test_property_splits_are_exact(amount, quantity, jurisdiction, on):
    components = rules_for(jurisdiction, on)
    total = amount * quantity

    ex = compute(amount, components, inclusive=False, quantity=quantity)
    assert ex.net_minor == total
    assert ex.gross_minor == ex.net_minor + sum(t.amount_minor for t in ex.taxes)
    for t, c in zip(ex.taxes, components, strict=True):
        assert t.amount_minor == half_up(Fraction(total) * Fraction(c.rate) / 100)

    inc = compute(amount, components, inclusive=True, quantity=quantity)
    assert inc.gross_minor == total
    assert inc.net_minor + sum(t.amount_minor for t in inc.taxes) == inc.gross_minor
    for t in inc.taxes:  # each tax is within a minor unit of the tax on the net shown
        assert abs(Fraction(inc.net_minor) * Fraction(t.rate) / 100 - t.amount_minor) <= 1

    mirrored = compute(-amount, components, inclusive=True, quantity=quantity)
    assert mirrored.net_minor == -inc.net_minor  # a refund splits like the sale


def test_half_up_helper_agrees_with_decimal():
    for value in ("0.5", "1.5", "2.5", "-2.5", "2.49"):
        expected = Decimal(value).to_integral_value(rounding=ROUND_HALF_UP)
        assert half_up(Fraction(value)) == int(expected)


@pytest.mark.parametrize(
    "jurisdiction, on",
    [
        ("CA-XX", ON),
        ("US-NY", ON),
        ("ca-on", ON),
        ("", ON),
        ("SA", date(2017, 12, 31)),  # before VAT
        ("CA-MB", date(2019, 6, 30)),  # GST is known then, RST at 8 % is not in the table
    ],
)
def test_unknown_jurisdiction_raises(ctx, jurisdiction, on):
    with pytest.raises(UnknownJurisdiction) as raised:
        rules_for(jurisdiction, on)
    assert isinstance(raised.value, DomainError)
    assert raised.value.status == 422
    assert str(raised.value) == f"No tax rules are known for {jurisdiction} on {on.isoformat()}."


def test_the_table_answers_from_the_day_every_tax_is_known():
    assert [c.code for c in rules_for("CA-MB", date(2019, 7, 1))] == ["GST", "RST"]
    assert [c.code for c in rules_for("CA-AB", date(2008, 1, 1))] == ["GST"]


def test_a_datetime_is_refused():
    with pytest.raises(TypeError):
        rules_for("CA-ON", datetime(2025, 4, 1, 3, 0))


LEVY = {
    "code": "LEVY",
    "name": "City fitness levy",
    "rate": "2.5",
    "from": "2025-01-01",
    "to": date(2025, 12, 31),
}


def test_custom_component_extends_the_table_for_that_call():
    components = rules_for("CA-AB", ON, custom_components=[LEVY])
    assert [(c.code, c.name, c.rate) for c in components][1] == (
        "LEVY",
        "City fitness levy",
        Decimal("2.5"),
    )
    b = compute(10000, components, inclusive=False)
    assert [t.amount_minor for t in b.taxes] == [500, 250]
    assert b.gross_minor == 10750
    # Outside its dates, and on the next call without it, only the table applies.
    assert [c.code for c in rules_for("CA-AB", date(2026, 1, 1), [LEVY])] == ["GST"]
    assert [c.code for c in rules_for("CA-AB", date(2024, 12, 31), [LEVY])] == ["GST"]
    assert [c.code for c in rules_for("CA-AB", ON)] == ["GST"]


@pytest.mark.parametrize(
    "change",
    [
        {"rate": 2.5},  # a float is not an exact rate
        {"rate": "abc"},
        {"rate": "-1"},
        {"rate": "101"},
        {"code": ""},
        {"code": "GST"},  # would merge with the table's GST in the totals
        {"from": "2025-13-01"},
        {"to": "2024-01-01"},
    ],
)
def test_invalid_custom_component_is_refused(ctx, change):
    with pytest.raises(InvalidTaxComponent) as raised:
        rules_for("CA-AB", ON, custom_components=[LEVY | change])
    assert raised.value.status == 422
    assert str(raised.value).startswith("The tax component ")
    assert str(raised.value).endswith(" is not valid.")


def test_component_from_a_frozen_line():
    line = {"code": "QST", "name": "QST", "rate": "9.975", "amount_minor": 998}
    assert TaxComponent.from_line(line) == TaxComponent("QST", "QST", Decimal("9.975"))


@pytest.mark.parametrize(
    "amount, quantity", [(100, 0), (100, -1), (100, True), ("100", 1), (1.5, 1)]
)
def test_amount_and_quantity_must_be_whole_numbers(amount, quantity):
    with pytest.raises((TypeError, ValueError)):
        compute(amount, rules_for("CA-ON", ON), inclusive=False, quantity=quantity)
