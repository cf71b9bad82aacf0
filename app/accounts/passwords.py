"""What a new password must be (ASVS V2.1): at least 12 characters, at most 128, and not one
of the 20,000 most common passwords. No composition rules: length and rarity are what count.
And how strong one is, for the meter under each new-password field (`rate`)."""

import gzip
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 128
_COMMON = Path(__file__).parent / "data" / "common-passwords.txt.gz"


@cache
def _common() -> frozenset[str]:
    with gzip.open(_COMMON, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def is_common(password: str) -> bool:
    """True when `password` (any case) is on the bundled list of common passwords."""
    return password.strip().lower() in _common()


# --- how hard a new password is to guess (the strength meter, ASVS 2.1.8) ----------------------

# zxcvbn's score out of 4 → what the meter says.
_VERDICTS = ("weak", "weak", "fair", "good", "strong")
# The kind of the biggest guessable part → the advice shown with a weak or fair password.
_WEAKNESSES = {"spatial": "keyboard", "repeat": "repeat", "sequence": "sequence",
               "regex": "date", "date": "date", "dictionary": "word"}
_RATED_LENGTH = 72  # zxcvbn's limit; a longer password is long enough to be judged by its start


@dataclass(frozen=True)
class Strength:
    verdict: str  # too_short, too_long, common, weak, fair, good, strong
    score: int  # 0 to 4, for the meter
    weakness: str | None = None  # keyboard, repeat, sequence, date, word, personal
    length: int = 0

    @property
    def accepted(self) -> bool:
        """Whether the password forms would take it (the meter's other verdicts only advise)."""
        return self.verdict not in ("too_short", "too_long", "common")


def rate(password: str, hints: tuple[str, ...] = ()) -> Strength:
    """How guessable `password` is: the rules first (length, the common list), then zxcvbn's
    estimate, which also knows keyboard rows, repeats, dates and `hints` (the person's name
    and address: a password made of them is weak)."""
    length = len(password)
    if length < MIN_LENGTH:
        return Strength("too_short", 0, length=length)
    if length > MAX_LENGTH:
        return Strength("too_long", 0, length=length)
    if is_common(password):
        return Strength("common", 0, length=length)
    inputs = []
    for hint in hints:  # the whole name or address, run together, and each of its words
        words = re.split(r"[\s@._+-]+", hint.lower())
        inputs += [hint.lower(), "".join(words), *words]
    result = zxcvbn(password[:_RATED_LENGTH], user_inputs=[i for i in inputs if i])
    score = result["score"]
    weakness = None
    if score <= 2 and result["sequence"]:
        biggest = max(result["sequence"], key=lambda match: len(match["token"]))
        weakness = ("personal" if biggest.get("dictionary_name") == "user_inputs"
                    else _WEAKNESSES.get(biggest["pattern"]))
    return Strength(_VERDICTS[score], score, weakness, length)
