"""Locale, direction, translated content maps, and dates/money shown in a studio's zone."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel import Locale, dates, lists, numbers
from flask import current_app, g, has_request_context, request
from flask_babel import force_locale, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

LANG_COOKIE = "fitflow_lang"


def supported() -> list[str]:
    return current_app.config["LANGUAGES"]


def select_locale() -> str:
    """?lang= (remembered), then the cookie, the user's profile, Accept-Language, the studio."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    for candidate in (
        request.args.get("lang"),
        request.cookies.get(LANG_COOKIE),
        getattr(current_user, "locale", None) if current_user.is_authenticated else None,
    ):
        if candidate in supported():
            return candidate
    best = request.accept_languages.best_match(supported())
    return best or g.get("studio_language") or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    return str(get_locale() or "en")


def text_direction(lang: str | None = None) -> str:
    """'rtl' or 'ltr' for the current locale (or `lang`), from Babel's CLDR data."""
    return Locale.parse(lang or current_language()).text_direction


def translated(value: dict | str | None, fallback: str | None = None,
               lang: str | None = None) -> str:
    """Pick the current language (or `lang`) from a content map, falling back to `fallback`,
    then any. A plain string is the same text in every language (content frozen before it
    became a map)."""
    if not value:
        return ""
    if isinstance(value, str):
        return value
    lang = lang or current_language()
    for key in (lang, fallback, "en", "ar"):
        if key and value.get(key):
            return value[key]
    return next(iter(value.values()), "")


def week_start(day: date, first_weekday: int = 1) -> date:
    """The first day of `day`'s week, for a week that starts on ISO weekday `first_weekday`
    (1 Monday … 7 Sunday)."""
    return day - timedelta(days=(day.isoweekday() - first_weekday) % 7)


def weekdays_from(first_weekday: int) -> list[int]:
    """ISO weekdays in the order a week that starts on `first_weekday` lists them."""
    return [(first_weekday - 1 + i) % 7 + 1 for i in range(7)]


def translations_of(text) -> dict:
    """`text` as a content map over every supported language: a lazy UI string translated into
    each, a map kept as it is, any other text the same in each."""
    if isinstance(text, dict):
        return dict(text)
    if isinstance(text, str):  # plain text (a LazyString is not a str)
        return {lang: text for lang in supported()}
    result = {}
    for lang in supported():
        with force_locale(lang):
            result[lang] = str(text)
    return result


def local(dt: datetime, tz: str) -> datetime:
    """An aware UTC datetime seen in the IANA zone `tz`."""
    return dt.astimezone(ZoneInfo(tz))


# A week page shows ~70 times and days, and each Babel call costs far more than a lookup. The
# text depends only on the instant, the zone and the language, so each is formatted once per
# process.
@lru_cache(maxsize=8192)
def _time_text(dt: datetime, tz: str, lang: str) -> str:
    return dates.format_time(dt, "short", tzinfo=ZoneInfo(tz), locale=lang)


@lru_cache(maxsize=4096)
def _datetime_text(dt: datetime, tz: str, lang: str) -> str:
    return dates.format_datetime(dt, "medium", tzinfo=ZoneInfo(tz), locale=lang)


def format_time(dt: datetime, tz: str, lang: str | None = None) -> str:
    return _time_text(dt, tz, lang or current_language())


def format_date(dt, tz: str | None = None, fmt: str = "full", lang: str | None = None) -> str:
    if isinstance(dt, datetime) and tz:
        dt = local(dt, tz)
    return dates.format_date(dt, fmt, locale=lang or current_language())


@lru_cache(maxsize=256)
def _skeleton_pattern(skeleton: str, lang: str) -> str:
    """The CLDR pattern a skeleton stands for in a language (matching is slow: done once)."""
    skeletons = Locale.parse(lang).datetime_skeletons
    return skeletons[skeleton if skeleton in skeletons
                     else dates.match_skeleton(skeleton, skeletons)]


_TIME_FIELDS = frozenset("hHjJkKmsaAzZvVOxX")


def format_day(dt, tz: str | None = None, skeleton: str = "MMMEd") -> str:
    """Short day label such as 'Wed, Nov 25' / 'الأربعاء، 25 نوفمبر'. An instant is labelled by
    its local day (formatted once per process, like plain days) unless the skeleton asks for
    the time of day."""
    lang = current_language()
    if isinstance(dt, datetime):
        if tz:
            dt = local(dt, tz)
        if _TIME_FIELDS.isdisjoint(skeleton):
            return _day_text(dt.date(), skeleton, lang)
        return dates.format_datetime(dt, _skeleton_pattern(skeleton, lang), locale=lang)
    return _day_text(dt, skeleton, lang)


@lru_cache(maxsize=4096)
def _day_text(day: date, skeleton: str, lang: str) -> str:
    """A calendar day's label (plain dates only: equal aware datetimes may be different days)."""
    return dates.format_datetime(day, _skeleton_pattern(skeleton, lang), locale=lang)


def format_datetime(dt: datetime, tz: str) -> str:
    return _datetime_text(dt, tz, current_language())


def machine_datetime(dt: datetime) -> str:
    """The instant for a `<time datetime>` attribute: HTML takes at most milliseconds."""
    return dt.isoformat(timespec="seconds")


def format_list(items) -> str:
    """'Mon, Wed and Fri' / 'الاثنين والأربعاء والجمعة' in the current language."""
    return lists.format_list([str(i) for i in items], locale=current_language())


def format_money(minor: int, currency: str) -> str:
    """Integer minor units shown in the currency's own precision and the current locale."""
    digits = numbers.get_currency_precision(currency)
    lang = current_language()
    text = numbers.format_currency(Decimal(minor).scaleb(-digits), currency, locale=lang)
    symbol = numbers.get_currency_symbol(currency, locale=lang)
    # CLDR's currency spacing, which Babel does not apply: a symbol that ends in a letter ("SAR")
    # stands apart from the digits ("SAR 49.00", never "SAR49.00").
    if text.startswith(symbol) and symbol[-1].isalpha() and text[len(symbol):][:1].isdigit():
        text = f"{symbol}\u00a0{text[len(symbol):]}"
    if text_direction() == "rtl" and any("a" <= c.lower() <= "z" for c in symbol):
        # A Latin symbol such as "CA$" in Arabic text: without an isolate the bidi algorithm
        # splits it and shows "$CA 5.00"; LRI…PDI keeps it whole, after the amount.
        text = text.replace(symbol, f"\u2066{symbol}\u2069")
    return text


def format_quantity(value) -> str:
    """A weight or other measured amount as typed on the tablet: Latin digits, a dot, no trailing
    zeros (80, 77.5, 1.25) in both languages."""
    if value is None:
        return ""
    text = format(Decimal(value).quantize(Decimal("0.01")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def switch_language_url(lang: str) -> str:
    """This page's URL in another language (a full page load: <html dir> changes)."""
    args = request.args.to_dict()
    args["lang"] = lang
    return f"{request.path}?{urlencode(args)}"


_PLAIN = frozenset((str, int, float, Markup, type(None)))


@lru_cache(maxsize=16)
def _template_gettext(translations) -> dict:
    """Jinja's newstyle gettext and ngettext (escaped when autoescaping, always %-formatted, as
    `install_gettext_callables(newstyle=True)` makes them) bound to one catalogue. A result is
    remembered when its placeholders' values are plain immutable values (the week page asks
    for the same "60 min" and "4 spots left" dozens of times)."""
    ugettext, ungettext = translations.ugettext, translations.ungettext

    @lru_cache(maxsize=4096)
    def text(escape: bool, singular: str, plural: str | None, num, variables: tuple) -> str:
        message = ugettext(singular) if plural is None else ungettext(singular, plural, num)
        return (Markup(message) if escape else message) % dict(variables)

    def cached(escape, singular, plural, num, variables: dict):
        if all(type(v) in _PLAIN for v in variables.values()):
            return text(escape, singular, plural, num, tuple(variables.items()))
        return text.__wrapped__(escape, singular, plural, num, tuple(variables.items()))

    @pass_context
    def gettext(context, string, **variables):
        return cached(context.eval_ctx.autoescape, string, None, None, variables)

    @pass_context
    def ngettext(context, singular, plural, num, **variables):
        variables.setdefault("num", num)
        return cached(context.eval_ctx.autoescape, singular, plural, num, variables)

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


def gettext_for(lang: str):
    """Templates' `_` bound to `lang`'s catalogue: for documents that print each label in more
    than one language on the same page."""
    with force_locale(lang):
        return _template_gettext(get_translations())["_"]


def bound_gettext() -> dict:
    """Templates translate through the catalogue of the locale in force when rendering starts.

    Flask-Babel's installed callables look the locale and catalogue up again for every string
    (a few hundred times on the week page); a render never changes locale midway, and
    force_locale (emails, PDFs) wraps whole renders, so resolving once per render is the same.
    The render's language is resolved once too, as `page_language`.
    """
    return {**_template_gettext(get_translations()), "page_language": current_language()}


def init_app(app):
    app.context_processor(bound_gettext)
    app.jinja_env.globals.update(
        current_language=current_language, text_direction=text_direction, languages=supported,
        gettext_for=gettext_for,
        switch_language_url=switch_language_url,
    )
    app.jinja_env.filters.update(
        tr=translated,
        time=format_time,
        date=format_date,
        day=format_day,
        datetime=format_datetime,
        iso=machine_datetime,
        money=format_money,
        and_list=format_list,
        load=format_quantity,
    )

    @app.after_request
    def remember_language(response):
        lang = request.args.get("lang")
        if lang in supported() and request.cookies.get(LANG_COOKIE) != lang:
            set_language_cookie(response, lang)
        return response


def set_language_cookie(response, lang: str):
    """Remember the chosen language in the browser for a year."""
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True)
    return response
