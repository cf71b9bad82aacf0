"""What coaches type, parsed before any service sees it: reps, loads and rest in any script's
digits, titles, plan sizes and a logged set's values; each refusal is a 422 with its message."""

from decimal import Decimal

import pytest
from flask_babel import force_locale

from app.training import forms
from app.training.errors import (
    BadSetValues,
    InvalidLoad,
    InvalidPlanSize,
    InvalidReps,
    InvalidRest,
    TitleRequired,
    TitleTooLong,
)


@pytest.mark.parametrize("reps, load, expected", [
    ("8", "", (8, None)), (" 12 ", "60", (12, Decimal("60"))),
    ("1000", "10000", (1000, Decimal(10000))),
    ("٥", "٦٢٫٥", (5, Decimal("62.5"))), ("3", "42,25", (3, Decimal("42.25"))), ("1", "0", (1, 0)),
])
def test_valid_reps_and_loads(reps, load, expected):
    assert (forms.parse_reps(reps), forms.parse_load(load, "kg")) == expected


@pytest.mark.parametrize("reps, load, error", [
    ("0", "", InvalidReps), ("1001", "", InvalidReps), ("", "", InvalidReps),
    ("8.5", "", InvalidReps),
    ("-3", "", InvalidReps), ("²", "", InvalidReps), ("x" * 5000, "", InvalidReps),
    ("8", "10000.01", InvalidLoad), ("8", "-1", InvalidLoad), ("8", "2.555", InvalidLoad),
    ("8", "NaN", InvalidLoad), ("8", "1e3", InvalidLoad), ("8", "Infinity", InvalidLoad),
    ("8", "99999999999999999999", InvalidLoad), ("8", "a\x00b", InvalidLoad),
])
def test_bad_reps_or_load_are_refused_with_a_message(app, reps, load, error):
    with pytest.raises(error) as caught:
        forms.parse_reps(reps), forms.parse_load(load, "kg")
    assert caught.value.status == 422
    with app.test_request_context(), force_locale("en"):
        text = str(caught.value)
    assert (("1000" in text) if error is InvalidReps
            else ("10000 kg" in text and "2 decimals" in text))


@pytest.mark.parametrize("rest, expected", [("0", 0), ("3600", 3600), ("75", 75), ("٩٠", 90),
                                            ("3601", None), ("-1", None), ("", None),
                                            ("1.5", None)])
def test_rest_is_whole_seconds_up_to_an_hour(rest, expected):
    if expected is None:
        with pytest.raises(InvalidRest):
            forms.parse_rest(rest)
    else:
        assert forms.parse_rest(rest) == expected


def test_titles_collapse_spaces_and_have_limits():
    assert forms.parse_title(" Get  strong ", required=True) == "Get strong"
    assert forms.parse_title("  ", required=False) == ""
    with pytest.raises(TitleRequired):
        forms.parse_title("   ", required=True)
    with pytest.raises(TitleTooLong):
        forms.parse_title("x" * 500, required=False)


def test_plan_sizes():
    assert forms.parse_plan_size("4", "3") == (4, 3)
    assert forms.parse_plan_size("52", "٧") == (52, 7)
    for weeks, days in (("0", "3"), ("53", "3"), ("4", "0"), ("4", "8"), ("x", "3"), (None, "3")):
        with pytest.raises(InvalidPlanSize):
            forms.parse_plan_size(weeks, days)


@pytest.mark.parametrize("reps, load", [("0", "60"), ("1001", "60"), ("8", "-1"), ("8", "10001"),
                                        ("8", "60.125"), ("eight", "60"), ("8", "NaN"),
                                        ("8", "Infinity"), ("", "")])
def test_a_logged_sets_bad_values_are_refused(reps, load):
    with pytest.raises(BadSetValues):
        forms.parse_set_values(reps, load)


def test_a_logged_sets_comma_decimal_is_read_as_a_dot():
    assert forms.parse_set_values("8", "77,5") == (8, Decimal("77.50"))
    assert forms.parse_set_values(" 5 ", "") == (5, Decimal("0.00"))


@pytest.mark.parametrize("value, expected", [("3", 3), ("-1", 0), ("500", 99), ("x", 0),
                                             (None, 0)])
def test_a_sets_position_is_kept_in_range(value, expected):
    assert forms.parse_position(value) == expected
