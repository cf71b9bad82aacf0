"""core/: money in minor units, UTC storage shown in the studio zone, content fallbacks."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from flask_babel import force_locale

from app.core import i18n
from app.core.db import UTCDateTime
from app.core.htmx import wants_fragment
from app.extensions import db
from tests.factories import ClassFactory, StudioFactory


@pytest.mark.parametrize("lang, minor, currency, expected", [
    ("en", 12345, "SAR", "SAR\u00a0123.45"),  # a code as symbol stands apart from the digits
    ("en", 500, "CAD", "CA$5.00"),
    ("en", 1000, "JPY", "¥1,000"),      # no minor unit
    ("en", 1234, "KWD", "KWD\u00a01.234"),    # three decimals
    ("en", 4900, "EUR", "€49.00"),
    ("ar", 4900, "SAR", "\u200f49.00\u00a0ر.س.\u200f"),
    ("ar", 1234, "KWD", "\u200f1.234\u00a0د.ك.\u200f"),
    ("ar", 500, "CAD", "\u200f5.00\u00a0\u2066CA$\u2069"),  # a Latin symbol kept whole in RTL
])
def test_money_uses_the_currencys_minor_units(ctx, lang, minor, currency, expected):
    with force_locale(lang):
        assert i18n.format_money(minor, currency) == expected


def test_arabic_money_keeps_latin_digits(ctx):
    with force_locale("ar"):
        text = i18n.format_money(12345, "SAR")
    assert "123.45" in text and "ر.س" in text


def test_times_are_stored_utc_and_shown_in_the_studio_zone(app, ctx):
    studio = StudioFactory(location__timezone="Asia/Riyadh")
    start = datetime(2026, 12, 1, 15, 0, tzinfo=timezone(timedelta(hours=-5)))  # 20:00 UTC
    cls = ClassFactory(studio=studio, starts_at=start, ends_at=start + timedelta(hours=1))
    db.session.expire_all()
    again = db.session.get(type(cls), cls.id)
    assert again.starts_at == datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
    assert again.starts_at.tzinfo is UTC
    with force_locale("en"):
        assert i18n.format_time(again.starts_at, "Asia/Riyadh") == "11:00\u202fPM"
    with force_locale("ar"):
        assert i18n.format_time(again.starts_at, "Asia/Riyadh").startswith("11:00")


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), None)


@pytest.mark.parametrize("lang, expected", [("ar", "القوة"), ("en", "Strength")])
def test_content_maps_pick_the_language(ctx, lang, expected):
    with force_locale(lang):
        assert i18n.translated({"en": "Strength", "ar": "القوة"}) == expected


def test_content_maps_fall_back_to_the_studio_language(ctx):
    with force_locale("en"):
        assert i18n.translated({"ar": "يوغا"}, fallback="ar") == "يوغا"
        assert i18n.translated({}, fallback="ar") == ""


@pytest.mark.parametrize("headers, fragment", [
    ({}, False),
    ({"HX-Request": "true"}, True),
    ({"HX-Request": "true", "HX-Boosted": "true"}, False),
    ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, False),
])
def test_page_or_fragment(app, headers, fragment):
    with app.test_request_context(headers=headers):
        assert wants_fragment() is fragment


def test_url_for_ids_builds_what_url_for_builds(ctx):
    from flask import url_for

    from app.core.urls import url_for_ids

    class_url = url_for_ids("bookings.class_detail", "class_id", studio="riyadh")
    for class_id in (1, 42, 2**31 - 1):
        assert class_url(class_id) == url_for("bookings.class_detail", studio="riyadh",
                                              class_id=class_id)
    # The placeholder id also in the studio's slug: no substitution, plain url_for every time.
    odd = url_for_ids("bookings.book_class", "class_id", studio=f"s{2**31 - 1}")
    assert odd(7) == url_for("bookings.book_class", studio=f"s{2**31 - 1}", class_id=7)


def test_time_labels_are_cached_per_zone_and_language(ctx):
    start = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
    with force_locale("en"):
        assert i18n.format_time(start, "Asia/Riyadh") == "11:00\u202fPM"
        assert i18n.format_time(start, "America/Toronto") == "3:00\u202fPM"
        assert i18n.format_day(start.date()) == "Tue, Dec 1"
    with force_locale("ar"):
        assert (i18n.format_time(start, "Asia/Riyadh")
                == i18n.format_time(start, "Asia/Riyadh", "ar"))
        assert i18n.format_time(start, "Asia/Riyadh") != "11:00\u202fPM"
    # Equal instants seen in different zones are different local days: an instant is labelled
    # by its local day (that label is what is cached).
    late = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    with force_locale("en"):
        assert i18n.format_day(late, "America/Toronto") == "Tue, Dec 1"
        assert i18n.format_day(late, "Asia/Riyadh") == "Wed, Dec 2"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_an_instants_day_label_is_babels_around_both_dst_changes(ctx, lang):
    from babel import dates

    with force_locale(lang):
        for day in ("2026-03-08", "2026-11-01"):  # Toronto's DST changes
            for hour in range(0, 30):
                instant = datetime.fromisoformat(f"{day}T00:00+00:00") + timedelta(hours=hour)
                for skeleton in ("MMMEd", "MMMMEEEEd", "EEE", "d"):
                    local = instant.astimezone(i18n.ZoneInfo("America/Toronto"))
                    babel = dates.format_datetime(
                        local, i18n._skeleton_pattern(skeleton, lang), locale=lang)
                    assert i18n.format_day(instant, "America/Toronto", skeleton) == babel


@pytest.mark.parametrize("typed, kept", [
    ("  Sara   Ali ", "Sara Ali"),
    ("Ali\u202ece", "Alice"),                 # an override that would show "ecilA"
    ("\u2066Nora\u2069\u200b", "Nora"),       # isolates, zero-width space
    ("Bob\x00\x07 Smith\u2028", "Bob Smith"),  # controls and a line separator
    ("\ufeffمحمد\u200f", "محمد"),              # a BOM and a right-to-left mark
    ("می\u200cخواهم", "می\u200cخواهم"),        # the zero-width non-joiner is spelling: kept
    ("Jose\u0301", "José"),                   # composed (NFC)
])
def test_a_typed_name_loses_what_would_hide_or_reorder_it(typed, kept):
    from app.core.forms import clean_line

    assert clean_line(typed) == kept


def test_a_typed_text_keeps_its_lines_and_loses_the_rest():
    from app.core.forms import clean_text

    assert clean_text("First\r\nSecond\u202e\x00\n\tThird ") == "First\nSecond\n\tThird"


@pytest.mark.parametrize("typed, ok", [
    ("2030-01-07", True), ("2000-01-01", True), ("2100-12-31", True),
    ("0001-01-01", False), ("9999-12-31", False), ("1999-12-31", False),
])
def test_dates_people_can_mean(app, typed, ok):
    from flask_wtf import FlaskForm
    from wtforms import DateField

    from app.core.forms import plausible_date

    class Form(FlaskForm):
        day = DateField(validators=[plausible_date])

    with app.test_request_context(method="POST", data={"day": typed}):
        form = Form(meta={"csrf": False})
        assert form.validate() is ok
        if not ok:
            assert "2000" in form.day.errors[0] and "2100" in form.day.errors[0]


@pytest.mark.parametrize("typed", ["sNaN", "NaN", "Infinity", "-inf"])
def test_a_decimal_field_refuses_what_is_not_a_number(app, typed):
    from flask_wtf import FlaskForm
    from wtforms.validators import NumberRange

    from app.core.forms import FiniteDecimalField

    class Form(FlaskForm):
        step = FiniteDecimalField(validators=[NumberRange(0.25, 50)])

    with app.test_request_context(method="POST", data={"step": typed}):
        form = Form(meta={"csrf": False})
        assert form.validate() is False and form.step.errors



@pytest.mark.parametrize("first, expected",
                         [(1, "2026-12-07"), (7, "2026-12-06"), (6, "2026-12-05")])
def test_a_week_starts_on_the_studios_first_day(first, expected):
    from datetime import date

    from app.core.i18n import week_start, weekdays_from

    wednesday = date(2026, 12, 9)
    assert week_start(wednesday, first) == date.fromisoformat(expected)
    assert week_start(date.fromisoformat(expected), first) == date.fromisoformat(expected)
    assert weekdays_from(first)[0] == first and sorted(weekdays_from(first)) == list(range(1, 8))


def test_a_saudi_studio_starts_its_week_on_sunday(ctx):
    from app.studios.services import create_studio

    riyadh = create_studio(slug="w-riy", name={"en": "R"}, location={
        "name": {"en": "Olaya"}, "timezone": "Asia/Riyadh", "currency": "SAR",
        "tax_jurisdiction": "SA"})
    toronto = create_studio(slug="w-tor", name={"en": "T"}, location={
        "name": {"en": "Queen"}, "timezone": "America/Toronto", "currency": "CAD",
        "tax_jurisdiction": "CA-ON"})
    assert (riyadh.first_weekday, toronto.first_weekday) == (7, 1)


# Instants around Toronto's DST change (2026-11-01 06:00 UTC) and a Riyadh midnight; what the
# reports group by must be the location's wall clock on both databases.
LOCAL_CASES = [
    (datetime(2026, 11, 1, 5, 30, tzinfo=UTC), "America/Toronto"),  # 01:30 EDT
    (datetime(2026, 11, 1, 6, 30, tzinfo=UTC), "America/Toronto"),  # 01:30 EST
    (datetime(2026, 12, 31, 21, 30, tzinfo=UTC), "Asia/Riyadh"),     # 00:30 on Jan 1st
    (datetime(2026, 3, 2, 3, 0, tzinfo=UTC), "America/Toronto"),      # Sunday 22:00
]


def _local_figures(engine):
    from sqlalchemy import literal, select

    from app.core.db import (
        local_day,
        local_day_number,
        local_hour,
        local_isodow,
        local_month_number,
    )
    out = []
    with engine.connect() as conn:
        for instant, zone in LOCAL_CASES:
            at, tz = literal(instant, UTCDateTime), literal(zone)
            out.append(tuple(conn.execute(select(
                local_day(at, tz), local_hour(at, tz), local_isodow(at, tz),
                local_month_number(at, tz), local_day_number(at, tz))).one()))
    return out


def _expected():
    from zoneinfo import ZoneInfo
    rows = []
    for instant, zone in LOCAL_CASES:
        local = instant.astimezone(ZoneInfo(zone))
        rows.append((local.date(), local.hour, local.isoweekday(),
                     local.year * 12 + local.month - 1,
                     (local.date() - datetime(1970, 1, 1).date()).days))
    return rows


def test_local_days_and_hours_are_the_wall_clock_on_postgresql(app):
    assert _local_figures(db.engine) == _expected()


def test_local_days_and_hours_are_the_wall_clock_on_sqlite(tmp_path):
    from app import create_app
    from tests.conftest import test_config
    sqlite = create_app(test_config(f"sqlite:///{tmp_path / 'local.sqlite3'}", 0,
                                    REDIS_URL=None, JOBS_INLINE=True))
    with sqlite.app_context():
        assert _local_figures(db.engine) == _expected()
