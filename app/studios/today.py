"""The console home's "today": a few counts a studio's staff look at first (classes today,
check-ins so far, waitlists, unpaid orders, new members this week). Like the checklist, each
fact is read from its own domain's data and added when the app is built (app/__init__.py), so
this module imports no domain above studios."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app


@dataclass(frozen=True)
class Window:
    """The studio's today and this week, as UTC instants (its own time zone and first day)."""

    day_start: datetime
    day_end: datetime
    week_start: datetime


@dataclass(frozen=True)
class Fact:
    key: str
    label: object  # a lazy string
    endpoint: str | None  # the console page that lists them (shown when the reader may open it)
    count: Callable  # (studio, window) -> int, one statement


def add_fact(app, fact: Fact) -> None:
    app.extensions.setdefault("fitflow.today", []).append(fact)


def today_facts(studio, window: Window) -> list[tuple[Fact, int]]:
    return [(fact, int(fact.count(studio, window) or 0))
            for fact in current_app.extensions.get("fitflow.today", ())]
