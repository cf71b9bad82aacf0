"""Bulk printing: a studio's invoices and credit notes of a date range bound by a job into one
merged PDF and a ZIP of the single PDFs. The run row carries its progress: the job
(workers/jobs/documents.py: print_invoices) commits `done` after each document, so a page
polling the row sees it move, and a cancel (the status) stops the job at its next document.
In the worker the documents are rendered by its render pool (app/core/pdf.py: render_pool), in
child processes, so the worker's memory stays flat however many a run prints."""

import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import undefer

from app.billing.errors import NothingToPrint, PrintRunBusy, PrintRunFinished, TooMuchToPrint
from app.billing.models import (
    ACTIVE_RUN,
    Invoice,
    PrintFileKind,
    PrintFilePart,
    PrintRun,
    PrintRunStatus,
)
from app.billing.services.documents import document_context, store_pdf
from app.core.db import utcnow
from app.core.jobs import enqueue_after_commit
from app.core.pdf import render_pool, render_template_html, render_template_pdf
from app.core.pdf_bundle import PdfBundle, read_chunks
from app.extensions import db
from app.schedule.queries import day_bounds

KEEP_FILES = timedelta(days=7)
MAX_DOCUMENTS = 5000  # a year of a busy studio; more is a job that should be split
FILE_PART = 1024 * 1024  # bytes per stored piece of a run's file


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


def print_documents(run_id: int, *, step: Callable[..., bool]) -> bool:
    """Bind every document of an active run, each rendered and stored once, into a merged PDF
    and a ZIP, one at a time; `step(**values)` records the progress (the job commits it) and
    answers False once the run was cancelled, which stops it with nothing stored."""
    run = db.session.get(PrintRun, run_id)
    if run is None or not run.active:
        return False
    # The documents as they are now (one issued since the run was asked for is in it too).
    ids = db.session.scalars(documents_query(run.studio, run.date_from, run.date_to)).all()
    if not ids or not step(status=PrintRunStatus.RUNNING, started_at=utcnow(), total=len(ids),
                           done=0):
        return False
    with tempfile.TemporaryDirectory(prefix="fitflow-print-") as folder:
        bundle = PdfBundle(folder, identifier=f"print-run-{run_id}")
        try:
            with closing(stored_pdfs(ids)) as documents:
                for done, (number, pdf) in enumerate(documents, 1):
                    bundle.add(re.sub(r"[^\w.-]", "-", number) + ".pdf", pdf)
                    del pdf  # one document's bytes at a time
                    if not step(done=done):
                        return False
        finally:
            bundle.close()
        files = {PrintFileKind.PDF: read_chunks(bundle.pdf_path, FILE_PART),
                 PrintFileKind.ZIP: read_chunks(bundle.zip_path, FILE_PART)}
        return finish_print_run(run_id, files, bundle.pages, now=utcnow())


def stored_pdfs(ids: Iterable[int]) -> Iterator[tuple[str, bytes]]:
    """Each invoice's number and stored PDF, in order, those not stored yet rendered and stored
    on the way: by this process's render pool when it has one (its children render the next
    documents while the caller binds this one), here otherwise."""
    pool = render_pool()
    if pool is None:
        for invoice_id in ids:
            yield stored_pdf(invoice_id)
        return
    ids = list(ids)
    rendered = pool.render_all((_html_unless_stored(invoice_id) for invoice_id in ids),
                               base_url=current_app.config["BASE_URL"])
    with closing(rendered):
        for invoice_id, pdf in zip(ids, rendered, strict=True):
            yield stored_pdf(invoice_id) if pdf is None else _store_rendered(invoice_id, pdf)


def _html_unless_stored(invoice_id: int) -> str | None:
    invoice = db.session.get(Invoice, invoice_id)
    if invoice.pdf_sha256 is not None:
        return None
    return render_template_html("pdf/invoice.html", locale=invoice.locale,
                                doc=document_context(invoice))


def _store_rendered(invoice_id: int, pdf: bytes) -> tuple[str, bytes]:
    """Store a PDF the pool rendered; it is the invoice's PDF unless one was stored meanwhile
    (then that one, as stored, is bound). Its bytes are not read back."""
    invoice = db.session.get(Invoice, invoice_id)
    if not store_pdf(invoice, pdf):
        return stored_pdf(invoice_id)
    number = invoice.number
    db.session.expunge(invoice)
    return number, pdf


def stored_pdf(invoice_id: int) -> tuple[str, bytes]:
    """An invoice's number and PDF as stored (rendered and stored once now if it was not yet:
    its e-mail follows then, as after the usual render)."""
    invoice = db.session.scalar(select(Invoice).where(Invoice.id == invoice_id)
                                .options(undefer(Invoice.pdf)))
    if invoice.pdf is None:
        store_pdf(invoice, render_template_pdf("pdf/invoice.html", locale=invoice.locale,
                                               doc=document_context(invoice)))
        db.session.refresh(invoice, ["pdf"])
    number, pdf = invoice.number, invoice.pdf
    db.session.expunge(invoice)  # the bytes go with the row, not kept in the session
    return number, pdf


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
