"""Bulk printing: a studio's invoices and credit notes of a date range bound by a job into one
merged PDF and a ZIP of the single PDFs. The run row carries its progress: the job
(workers/jobs/documents.py: print_invoices) commits `done` after each document, so a page
polling the row sees it move, and a cancel (the status) stops the job at its next document."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, insert, select, update

from app.billing.errors import NothingToPrint, PrintRunBusy, PrintRunFinished, TooMuchToPrint
from app.billing.models import (
    ACTIVE_RUN,
    Invoice,
    PrintFileKind,
    PrintFilePart,
    PrintRun,
    PrintRunStatus,
)
from app.core.jobs import enqueue_after_commit
from app.extensions import db
from app.schedule.queries import day_bounds

KEEP_FILES = timedelta(days=7)
MAX_DOCUMENTS = 5000  # a year of a busy studio; more is a job that should be split


def documents_query(studio, date_from: date, date_to: date):
    """The studio's documents issued between two local dates (inclusive), in print order."""
    tz = studio.timezone
    return (select(Invoice.id).where(Invoice.studio_id == studio.id,
                                     Invoice.issued_at >= day_bounds(date_from, tz)[0],
                                     Invoice.issued_at < day_bounds(date_to, tz)[1])
            .order_by(Invoice.issued_at, Invoice.id))


def start_print_run(studio, *, date_from: date, date_to: date, actor) -> PrintRun:
    """A run of every document issued in the dates, queued for the documents worker. One run
    at a time per studio: the studio row is locked while the active runs are counted."""
    db.session.execute(select(type(studio).id).where(type(studio).id == studio.id)
                       .with_for_update())
    busy = db.session.scalar(select(func.count()).select_from(PrintRun).where(
        PrintRun.studio_id == studio.id, PrintRun.status.in_(ACTIVE_RUN)))
    if busy:
        raise PrintRunBusy()
    total = db.session.scalar(select(func.count()).select_from(
        documents_query(studio, date_from, date_to).order_by(None).subquery()))
    if total == 0:
        raise NothingToPrint()
    if total > MAX_DOCUMENTS:
        raise TooMuchToPrint(limit=MAX_DOCUMENTS)
    run = PrintRun(studio_id=studio.id, date_from=date_from, date_to=date_to, total=total,
                   done=0, status=PrintRunStatus.QUEUED, created_by_id=actor.id)
    db.session.add(run)
    db.session.flush()
    enqueue_after_commit("workers.jobs.documents.print_invoices", run.id, queue="documents")
    return run


def cancel_print_run(run: PrintRun, *, now: datetime) -> PrintRun:
    """Stop a queued or running run: the job sees the status at its next document and stops."""
    stopped = db.session.execute(
        update(PrintRun).where(PrintRun.id == run.id, PrintRun.status.in_(ACTIVE_RUN))
        .values(status=PrintRunStatus.CANCELLED, finished_at=now)
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.expire(run)
    if not stopped:
        raise PrintRunFinished()
    return run


def record_progress(run_id: int, **values) -> bool:
    """Move an active run on (the job commits it at once, so the page polling the run sees
    it); False once the run is no longer active: cancelled, and the job stops."""
    return db.session.execute(
        update(PrintRun).where(PrintRun.id == run_id, PrintRun.status.in_(ACTIVE_RUN))
        .values(**values).execution_options(synchronize_session=False)).rowcount == 1


def finish_print_run(run_id: int, files: dict[PrintFileKind, Iterable[bytes]], pages: int, *,
                     now: datetime) -> bool:
    """Store the run's files (each given in pieces, stored a piece at a time) unless the run
    was cancelled meanwhile; they are kept 7 days and a job then clears them."""
    expires = now + KEEP_FILES
    stored = db.session.execute(
        update(PrintRun).where(PrintRun.id == run_id, PrintRun.status.in_(ACTIVE_RUN))
        .values(status=PrintRunStatus.DONE, pages=pages, finished_at=now, expires_at=expires)
        .execution_options(synchronize_session=False)).rowcount == 1
    if not stored:
        return False
    for kind, parts in files.items():
        for seq, data in enumerate(parts):
            db.session.execute(insert(PrintFilePart).values(print_run_id=run_id, kind=kind,
                                                            seq=seq, data=data))
    enqueue_after_commit("workers.jobs.documents.expire_print_run", run_id,
                         queue="documents", at=expires)
    return True


def expire_print_run(run_id: int, *, now: datetime) -> bool:
    """Drop the files of a run past its expiry (the row stays, as a record of the run)."""
    expired = select(PrintRun.id).where(PrintRun.id == run_id, PrintRun.expires_at <= now)
    return db.session.execute(
        delete(PrintFilePart).where(PrintFilePart.print_run_id.in_(expired))
        .execution_options(synchronize_session=False)).rowcount > 0
