"""Bulk printing in the console: choose dates, a job binds every invoice and credit note into
one merged PDF and a ZIP of the single PDFs, a progress panel polls the run (and survives a
reload), the downloads appear when done, a run can be cancelled, and the files are kept 7 days.
Managers only (it prints every customer's money for a period)."""

from datetime import date, timedelta

from flask import Response, g, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.billing.forms import PrintRunForm
from app.billing.manage_views import bp
from app.billing.models import PrintFileKind
from app.billing.queries.printing import (
    file_parts,
    file_size,
    get_print_run_or_404,
    recent_print_runs,
    seconds_left,
)
from app.billing.services.printing import KEEP_FILES, cancel_print_run, start_print_run
from app.core.db import utcnow
from app.core.forms import plausible_day, refused
from app.core.htmx import render
from app.core.i18n import local
from app.core.lifecycle import done, perform
from app.studios.console import requires
from app.studios.policies import can_manage_studio

PAGE = "billing/manage/printing.html"
RUN = "billing/manage/print_run.html"


def _last_month() -> tuple[date, date]:
    first_this = local(utcnow(), g.studio.timezone).date().replace(day=1)
    last = first_this - timedelta(days=1)
    return last.replace(day=1), last


def _handed_date(name: str, default: date) -> date:
    """A date handed over from the invoices list's filters, when it parses and is plausible."""
    try:
        return plausible_day(date.fromisoformat(request.args.get(name, "")[:10])) or default
    except ValueError:
        return default


def _printing_page(form=None, status: int = 200):
    if form is None:
        first, last = _last_month()
        form = PrintRunForm(formdata=None, data={"date_from": _handed_date("date_from", first),
                                                 "date_to": _handed_date("date_to", last)})
    return render_template(PAGE, studio=g.studio, form=form, runs=recent_print_runs(g.studio),
                           now=utcnow()), status


@bp.get("/printing")
@requires(can_manage_studio)
def printing():
    return _printing_page()


@bp.post("/printing")
@requires(can_manage_studio)
def start_printing():
    form = PrintRunForm()
    if not form.validate_on_submit():
        return _printing_page(form, 422)
    return perform(
        lambda: start_print_run(g.studio, date_from=form.date_from.data,
                                date_to=form.date_to.data, actor=current_user),
        lambda run: redirect(url_for(".print_run", run_id=run.id), 303),
        failed=lambda exc: _printing_page(refused(form, exc), exc.status))


def _run_page(run, status: int = 200):
    now = utcnow()
    return render(RUN, "run_progress", status=status, studio=g.studio, run=run, now=now,
                  left=seconds_left(run, now), keep_days=KEEP_FILES.days)


@bp.get("/printing/<int:run_id>")
@requires(can_manage_studio)
def print_run(run_id: int):
    """The run's page; htmx polls it for the progress panel alone."""
    return _run_page(get_print_run_or_404(g.studio, run_id))


@bp.post("/printing/<int:run_id>/cancel")
@requires(can_manage_studio)
def cancel_printing(run_id: int):
    run = get_print_run_or_404(g.studio, run_id)
    return perform(lambda: cancel_print_run(run, now=utcnow()),
                   lambda _run: done(_("The print run is cancelled."),
                                     url_for(".print_run", run_id=run.id)),
                   failed=lambda exc: _run_page(run, exc.status))


def _send_file(run_id: int, kind: PrintFileKind, mimetype: str):
    """A run's file, sent a stored piece at a time; 410 once expired, 409 before it is made."""
    run = get_print_run_or_404(g.studio, run_id)
    if run.expired(utcnow()):
        return _run_page(run, 410)
    size = file_size(run, kind)
    if size is None:
        return _run_page(run, 409)
    name = (f"{g.studio.slug}-invoices-{run.date_from.isoformat()}-{run.date_to.isoformat()}"
            f".{kind.value}")
    return Response(stream_with_context(file_parts(run, kind)), mimetype=mimetype, headers={
        "Content-Length": str(size), "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "private, no-store"})


@bp.get("/printing/<int:run_id>.pdf")
@requires(can_manage_studio)
def print_run_pdf(run_id: int):
    """Every document of the run in one PDF."""
    return _send_file(run_id, PrintFileKind.PDF, "application/pdf")


@bp.get("/printing/<int:run_id>.zip")
@requires(can_manage_studio)
def print_run_zip(run_id: int):
    """The run's documents as single PDFs in a ZIP."""
    return _send_file(run_id, PrintFileKind.ZIP, "application/zip")
