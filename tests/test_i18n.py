"""English and Arabic: the catalogue is complete and compiled, plurals follow CLDR, and the
language a visitor chooses is the one every page is served in.

When UI strings change: scripts/translations (extract, update, then translate the empty
msgstr entries in translations/ar/LC_MESSAGES/messages.po), then scripts/translations compile.
"""

import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import force_locale, ngettext

from app.core.i18n import LANG_COOKIE

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "translations/ar/LC_MESSAGES/messages.po"
MO = ROOT / "translations/ar/LC_MESSAGES/messages.mo"
SCRIPT = ROOT / "scripts/translations"

# GNU/CLDR order: zero, one, two, few (3-10), many (11-99), other (100-102, ...).
# Babel's own Arabic formula has forms 4 and 5 swapped (python-babel #816).
CLDR_AR_PLURAL = ("nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
                  "n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);")
# The same keywords as scripts/translations extract (pinned below).
EXTRACT_KEYWORDS = ["_l", "lazy_gettext", "_", "ngettext:1,2", "lazy_ngettext:1,2"]

SPOT_LEFT = ("%(count)s spot left", "%(count)s spots left")  # templates/bookings/_panel.html
PANEL_SPOTS = ("{% trans count=n %}{{ count }} spot left{% pluralize %}"
               "{{ count }} spots left{% endtrans %}")

PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>\w+)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<conv>[diouxXeEfFgGcrsa%])")


def placeholders(text: str) -> set[str]:
    """`%(name)s` -> 'name', `%s` -> '%s'; `%%` is a literal and not a placeholder."""
    found = set()
    for m in PLACEHOLDER.finditer(text):
        if m["conv"] == "%":
            continue
        found.add(m["name"] or f"%{m['conv']}")
    return found


def read_arabic_po():
    with PO.open("rb") as f:
        return read_po(f, locale="ar")


@pytest.fixture(scope="module")
def arabic():
    return read_arabic_po()


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """A catalogue freshly extracted from app/, workers/ and templates/, as the script does."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    args = ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "--no-location"]
    for keyword in EXTRACT_KEYWORDS:
        args += ["-k", keyword]
    CommandLineInterface().run([*args, "-o", str(pot), str(ROOT)])
    with pot.open("rb") as f:
        catalog = read_po(f)
    assert len([m for m in catalog if m.id]) > 100  # the babel.cfg patterns matched the sources
    return catalog


# --- Plurals -------------------------------------------------------------------------------


def test_po_header_has_the_cldr_arabic_plural_formula(arabic):
    assert arabic.plural_forms == CLDR_AR_PLURAL
    assert arabic.num_plurals == 6
    assert not arabic.fuzzy  # pybabel compile skips a catalogue whose header is fuzzy


def test_spot_left_has_six_distinct_arabic_forms(arabic):
    message = arabic.get(SPOT_LEFT[0])
    assert message is not None and message.id == SPOT_LEFT
    assert len(message.string) == 6
    assert len(set(message.string)) == 6, message.string


@pytest.mark.parametrize(("n", "form"), [
    (0, 0), (1, 1), (2, 2), (3, 3), (10, 3), (11, 4), (99, 4), (100, 5), (102, 5), (111, 4),
])
def test_ngettext_in_arabic_picks_the_cldr_form(ctx, arabic, n, form):
    expected = arabic.get(SPOT_LEFT[0]).string[form] % {"count": n}
    with force_locale("ar"):
        assert ngettext(*SPOT_LEFT, n, count=n) == expected
        assert render_template_string(PANEL_SPOTS, n=n) == expected


def test_template_strings_follow_the_locale_and_stay_escaped(ctx, arabic):
    # Templates translate through a catalogue bound per render, with results remembered.
    page = ("{{ _('Book') }} | {{ _('You are number %(position)s on the waitlist', position=p) }}"
            " | {% trans count=n %}{{ count }} spot left{% pluralize %}{{ count }} spots left"
            "{% endtrans %}")
    with force_locale("en"):
        en = render_template_string(page, p="<b>3</b>", n=2)
    with force_locale("ar"):
        ar = render_template_string(page, p="<b>3</b>", n=2)
    with force_locale("en"):
        assert render_template_string(page, p="<b>3</b>", n=2) == en
        assert render_template_string(page, p=4, n=5).endswith("4 on the waitlist | 5 spots left")
    assert en == "Book | You are number &lt;b&gt;3&lt;/b&gt; on the waitlist | 2 spots left"
    assert ar.startswith(arabic.get("Book").string + " | ")
    assert "&lt;b&gt;3&lt;/b&gt;" in ar and arabic.get(SPOT_LEFT[0]).string[2] % {"count": 2} in ar


def test_english_plural_is_untouched(ctx):
    with force_locale("en"):
        assert ngettext(*SPOT_LEFT, 1, count=1) == "1 spot left"
        assert ngettext(*SPOT_LEFT, 11, count=11) == "11 spots left"


# --- The catalogue is complete -------------------------------------------------------------


def test_extraction_keywords_match_the_script():
    assert re.findall(r"-k (\S+)", SCRIPT.read_text()) == EXTRACT_KEYWORDS


def test_every_ui_string_has_an_arabic_translation(extracted, arabic):
    problems = []
    for source in extracted:
        if not source.id:
            continue
        entry = arabic.get(source.id, source.context)
        if entry is None:
            problems.append(f"missing from messages.po: {source.id!r}")
            continue
        if entry.id != source.id:
            problems.append(f"singular/plural differs from the source: {source.id!r}")
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy: {source.id!r}")
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if source.pluralizable and len(forms) != 6:
            problems.append(f"{len(forms)} plural forms instead of 6: {source.id!r}")
        if not all(form.strip() for form in forms):
            problems.append(f"untranslated: {source.id!r}")
    assert not problems, "run scripts/translations and translate:\n" + "\n".join(problems)


def test_translations_keep_the_placeholders(extracted, arabic):
    problems = []
    for source in extracted:
        entry = arabic.get(source.id, source.context) if source.id else None
        if entry is None or entry.id != source.id:
            continue  # reported by test_every_ui_string_has_an_arabic_translation
        if not source.pluralizable:
            wanted = placeholders(source.id)
            if "python-format" not in source.flags:
                wanted = set()  # rendered without %-formatting: a placeholder would show as is
            got = placeholders(entry.string)
            if got != wanted:
                problems.append(f"{source.id!r}: {sorted(got)} instead of {sorted(wanted)}")
            continue
        plural = placeholders(source.id[1])
        for index, form in enumerate(entry.string):
            got = placeholders(form)
            # zero/one/two may spell the number out; from 3 on it must be shown.
            ok = got <= plural if index <= 2 else got == plural
            if not ok:
                problems.append(f"{source.id[1]!r} form {index}: {sorted(got)}, "
                                f"expected {'a subset of ' if index <= 2 else ''}{sorted(plural)}")
    assert not problems, "\n".join(problems)


def test_committed_mo_is_compiled_from_the_po():
    compiled = BytesIO()
    write_mo(compiled, read_arabic_po())
    compiled.seek(0)
    with MO.open("rb") as f:
        committed = read_mo(f)
    fresh = read_mo(compiled)

    def messages(catalog):
        def freeze(value):
            return tuple(value) if isinstance(value, list) else value

        return {(freeze(m.id), m.context): freeze(m.string) for m in catalog}

    assert messages(committed) == messages(fresh), "run scripts/translations compile"
    assert committed.plural_forms == CLDR_AR_PLURAL


# --- Choosing the language -----------------------------------------------------------------


def arabic_for(arabic, msgid: str) -> str:
    text = arabic.get(msgid).string
    assert text and text != msgid
    return text


def assert_page_in(html: str, lang: str, arabic) -> None:
    heading = arabic_for(arabic, "Find your class")
    if lang == "ar":
        assert '<html lang="ar" dir="rtl">' in html
        assert heading in html and "Find your class" not in html
    else:
        assert '<html lang="en" dir="ltr">' in html
        assert "Find your class" in html and heading not in html


def test_lang_parameter_switches_the_page_and_is_remembered(client, arabic):
    response = client.get("/?lang=ar")
    assert response.status_code == 200
    assert_page_in(response.get_data(as_text=True), "ar", arabic)
    assert client.get_cookie(LANG_COOKIE).value == "ar"

    assert_page_in(client.get("/").get_data(as_text=True), "ar", arabic)

    response = client.get("/?lang=en")
    assert_page_in(response.get_data(as_text=True), "en", arabic)
    assert client.get_cookie(LANG_COOKIE).value == "en"
    assert_page_in(client.get("/").get_data(as_text=True), "en", arabic)


def test_unsupported_lang_parameter_is_ignored(client, arabic):
    response = client.get("/?lang=xx", headers={"Accept-Language": "ar"})
    assert_page_in(response.get_data(as_text=True), "ar", arabic)
    assert client.get_cookie(LANG_COOKIE) is None


def test_accept_language_is_used_without_a_cookie(client, arabic):
    response = client.get("/", headers={"Accept-Language": "ar-SA,ar;q=0.9,en;q=0.5"})
    assert_page_in(response.get_data(as_text=True), "ar", arabic)
    assert client.get_cookie(LANG_COOKIE) is None  # only an explicit choice is remembered

    response = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert_page_in(response.get_data(as_text=True), "en", arabic)


def test_remembered_choice_beats_accept_language(client, arabic):
    client.get("/?lang=en")
    response = client.get("/", headers={"Accept-Language": "ar"})
    assert_page_in(response.get_data(as_text=True), "en", arabic)
