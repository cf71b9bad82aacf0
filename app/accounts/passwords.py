"""What a new password must be (ASVS V2.1): at least 12 characters, at most 128, and not one
of the 20,000 most common passwords. No composition rules: length and rarity are what count."""

import gzip
from functools import cache
from pathlib import Path

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
