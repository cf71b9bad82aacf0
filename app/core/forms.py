"""What the domains' forms share."""

from collections.abc import Iterable

from wtforms import SelectChoice


def options(pairs: Iterable[tuple]) -> list[SelectChoice]:
    """A select's choices from (value, label) pairs (WTForms 3.4 takes no plain tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]
