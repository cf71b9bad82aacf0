"""Text folded for search, the same in Python for what is stored and for what is typed, so
PostgreSQL and SQLite find the same rows with a plain LIKE.

Arabic is folded as people type it: without diacritics (tashkeel) or tatweel, every alef with
hamza or madda as a bare alef, taa marbuta as haa, alef maqsura as yaa; Arabic-Indic and
Persian digits become Latin; Latin loses its accents and case.
"""

import re
import unicodedata

_DIGITS = {**{0x0660 + i: str(i) for i in range(10)}, **{0x06F0 + i: str(i) for i in range(10)}}
# After NFKD (which splits أ إ آ ؤ ئ into a letter and a combining hamza or madda).
_LETTERS = {
    "\u0640": "",        # tatweel
    "\u0671": "\u0627",  # alef wasla
    "\u0629": "\u0647",  # taa marbuta -> haa
    "\u0649": "\u064a",  # alef maqsura -> yaa
    "\u06cc": "\u064a",  # Persian yeh -> yaa
    "\u0621": "",        # a lone hamza (a name typed with or without it)
}
_TABLE = str.maketrans({**_DIGITS, **{ord(k): v for k, v in _LETTERS.items()}})
_SPACES = re.compile(r"\s+")
_PHONE_PUNCTUATION = re.compile(r"[\s+()./-]")


def fold(text: str | None) -> str:
    """`text` as search stores and compares it: see the module's docstring."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", bare.translate(_TABLE).casefold()).strip()


def phone_key(phone: str | None) -> str:
    """The digits of a phone number (any script), for matching numbers written differently."""
    return "".join(c for c in fold(phone) if c.isascii() and c.isdigit())


def search_terms(query: str, limit: int = 5) -> list[str]:
    """The folded words of what someone typed (at most `limit`); a word that is a phone number
    with punctuation (+966-55…) keeps only its digits."""
    terms = []
    for word in fold(query).split(" "):
        bare = _PHONE_PUNCTUATION.sub("", word)
        if bare.isascii() and bare.isdigit():
            word = bare
        if word and word not in terms:
            terms.append(word)
    return terms[:limit]


def search_text(*parts: str | None, phone: str | None = None) -> str:
    """The stored search column: every part folded, and the phone also as bare digits."""
    words = [fold(p) for p in parts if p]
    if phone:
        words += [fold(phone), phone_key(phone)]
    return " ".join(w for w in words if w)


def like_pattern(term: str) -> str:
    """A LIKE pattern for `term` anywhere (escaped with backslash)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
