"""What a check returns: a finding's kind, the ids involved, the values its description names
and the page where it is fixed."""

from dataclasses import dataclass, field


class CheckUnavailable(Exception):
    """A check could not run (a service it asks is away); its previous findings are kept."""


@dataclass(frozen=True)
class Finding:
    kind: str
    ids: list[int]
    endpoint: str
    endpoint_args: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
