"""Print runs for the console: loaders scoped to the studio and what a progress bar shows."""

from collections.abc import Iterator
from datetime import datetime

from flask import abort
from sqlalchemy import func, select

from app.billing.models import PrintFileKind, PrintFilePart, PrintRun, PrintRunStatus
from app.extensions import db


def get_print_run_or_404(studio, run_id: int) -> PrintRun:
    """A print run of this studio; another's is a 404."""
    run = db.session.scalar(select(PrintRun).where(PrintRun.id == run_id,
                                                   PrintRun.studio_id == studio.id))
    if run is None:
        abort(404)
    return run


def file_size(run: PrintRun, kind: PrintFileKind) -> int | None:
    """The stored size of a run's file in bytes; None when there is none (not done, expired)."""
    parts, size = db.session.execute(
        select(func.count(), func.sum(func.length(PrintFilePart.data)))
        .where(PrintFilePart.print_run_id == run.id, PrintFilePart.kind == kind)).one()
    return int(size) if parts else None


def file_parts(run: PrintRun, kind: PrintFileKind) -> Iterator[bytes]:
    """A run's file, a stored piece at a time (one query each: one piece in memory)."""
    seq = 0
    while (data := db.session.scalar(select(PrintFilePart.data).where(
            PrintFilePart.print_run_id == run.id, PrintFilePart.kind == kind,
            PrintFilePart.seq == seq))) is not None:
        yield data
        seq += 1


def recent_print_runs(studio, limit: int = 10) -> list[PrintRun]:
    return db.session.scalars(select(PrintRun).where(PrintRun.studio_id == studio.id)
                              .order_by(PrintRun.id.desc()).limit(limit)).all()


def seconds_left(run: PrintRun, now: datetime) -> int | None:
    """The time the rest should take at the pace so far; None before the first document."""
    if run.status != PrintRunStatus.RUNNING or not run.done or run.started_at is None:
        return None
    elapsed = (now - run.started_at).total_seconds()
    return max(1, round(elapsed / run.done * (run.total - run.done)))
