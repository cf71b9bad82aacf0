"""Print runs for the console: loaders scoped to the studio and what a progress bar shows."""

from datetime import datetime

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import undefer

from app.billing.models import PrintRun, PrintRunStatus
from app.extensions import db


def get_print_run_or_404(studio, run_id: int, *, with_pdf: bool = False) -> PrintRun:
    """A print run of this studio (its file loaded only when asked); another's is a 404."""
    query = select(PrintRun).where(PrintRun.id == run_id, PrintRun.studio_id == studio.id)
    run = db.session.scalar(query.options(undefer(PrintRun.pdf)) if with_pdf else query)
    if run is None:
        abort(404)
    return run


def recent_print_runs(studio, limit: int = 10) -> list[PrintRun]:
    return db.session.scalars(select(PrintRun).where(PrintRun.studio_id == studio.id)
                              .order_by(PrintRun.id.desc()).limit(limit)).all()


def seconds_left(run: PrintRun, now: datetime) -> int | None:
    """The time the rest should take at the pace so far; None before the first document."""
    if run.status != PrintRunStatus.RUNNING or not run.done or run.started_at is None:
        return None
    elapsed = (now - run.started_at).total_seconds()
    return max(1, round(elapsed / run.done * (run.total - run.done)))
