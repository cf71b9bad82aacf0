"""The first steps of a new studio, shown in its console until each is done. A step's test
lives with the data it reads (class types in schedule, plans in memberships, payment settings
in billing): each domain adds its step when the app is built (app/__init__.py), so this module
imports no domain above studios."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class Step:
    key: str
    label: object  # a lazy string
    endpoint: str | None  # the console page where it is done
    is_done: Callable  # (studio) -> bool, read from the data


def add_step(app, step: Step) -> None:
    """Add a step to the checklist of every studio (in the order added)."""
    app.extensions.setdefault("fitflow.checklist", []).append(step)


def checklist(studio) -> list[tuple[Step, bool]]:
    """Each step with whether the studio has done it; [] once every one is done."""
    steps = [(step, bool(step.is_done(studio)))
             for step in current_app.extensions.get("fitflow.checklist", ())]
    return [] if all(is_done for _step, is_done in steps) else steps
