"""Bulk printing through the worker's render pool (workers/render_pool.py): the documents come
out as the same PDFs a render in the job's own process makes, the pool's children are replaced
as they reach their share of renders, a child that dies fails the run cleanly (the page says
so, no files stored) and the pool renders the next run, a run that stops early (cancelled)
leaves no stray answer for the next one, a document a child cannot render fails without taking
the child down, and the worker stops its pool when it stops."""

import io
import os
import signal
import subprocess
import sys
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from rq import Queue
from sqlalchemy import select

from app.billing.models import Invoice, PrintRun, PrintRunStatus
from app.billing.services.documents import document_context
from app.core.pdf import install_render_pool, render_template_pdf
from app.core.queues import redis_connection
from app.extensions import db
from app.studios.models import Role
from tests.billing.test_printing import issue, page_count, start, stored_parts, text, the_run
from tests.conftest import login
from tests.factories import StudioFactory, staff
from workers.render_pool import RenderCrashed, RenderPool

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def pool():
    """Two children, each replaced after two renders (a print run of five replaces some)."""
    started = RenderPool(2, 2).start()
    yield started
    started.stop()


@pytest.fixture
def pooled(pool):
    install_render_pool(pool)
    yield pool
    install_render_pool(None)


@pytest.fixture
def studio(app):
    return StudioFactory(invoice_prefix="POOL")


@pytest.fixture
def manager(client, studio):
    user = staff(studio, Role.STUDIO_ADMIN)
    login(client, user)
    return user


def test_a_run_rendered_by_the_pool_holds_the_same_pdfs_as_one_rendered_here(
        client, studio, manager, jobs, run_jobs, pooled):
    invoices = issue(studio, 5)
    db.session.commit()
    before = pooled.pids()
    start(client, studio)
    jobs[:] = [j for j in jobs if j[0].endswith("print_invoices")]
    assert run_jobs("print_invoices")[0][2] is True

    run = the_run(studio)
    assert (run.status, run.done, run.pages) == ("done", 5, 5)
    merged = client.get(f"/manage/{studio.slug}/printing/{run.id}.pdf").data
    assert page_count(merged) == 5
    assert PdfReader(io.BytesIO(merged)).page_labels == ["1", "2", "3", "4", "5"]
    db.session.expire_all()
    invoices = [db.session.get(Invoice, i.id) for i in invoices]  # the job let go of them
    # Byte for byte what a render in this process gives (the single-invoice path).
    assert [i.pdf for i in invoices] == [
        render_template_pdf("pdf/invoice.html", locale=i.locale, doc=document_context(i))
        for i in invoices]
    archive = client.get(f"/manage/{studio.slug}/printing/{run.id}.zip").data
    with zipfile.ZipFile(io.BytesIO(archive)) as bundle:
        assert [bundle.read(f"{i.number}.pdf") for i in invoices] == [i.pdf for i in invoices]
    # Five renders by two children of two renders each: none of the first two is left.
    assert not set(before) & set(pooled.pids()) and len(pooled.pids()) == 2


def test_a_child_that_dies_fails_the_run_and_the_pool_prints_the_next(client, studio, manager,
                                                                      jobs, run_jobs,
                                                                      monkeypatch):
    import app.billing.services.printing as documents

    pool = RenderPool(1, 100).start()  # one child, never replaced on its own during the run
    install_render_pool(pool)
    try:
        issue(studio, 6)
        db.session.commit()
        start(client, studio)
        run = the_run(studio)
        real, stored = documents.store_pdf, []

        def kill_after_the_first(*args, **kwargs):
            stored.append(1)
            if len(stored) == 2:  # the child dies (say, the OOM killer) as the run goes on
                for pid in pool.pids():
                    os.kill(pid, signal.SIGKILL)
            return real(*args, **kwargs)

        monkeypatch.setattr(documents, "store_pdf", kill_after_the_first)
        jobs[:] = [j for j in jobs if j[0].endswith("print_invoices")]
        with pytest.raises(RenderCrashed):
            run_jobs("print_invoices")
        run = the_run(studio)
        assert run.status == PrintRunStatus.FAILED and run.pages is None
        assert stored_parts(run) == 0  # no merged PDF or ZIP, not even a part of one
        page = client.get(f"/manage/{studio.slug}/printing/{run.id}?lang=en")
        assert "Failed" in text(page)
        assert client.get(f"/manage/{studio.slug}/printing/{run.id}.pdf").status_code == 409

        # The pool replaced its child: the studio's next run prints every document.
        monkeypatch.setattr(documents, "store_pdf", real)
        assert start(client, studio).status_code == 303
        assert run_jobs("print_invoices")[0][2] is True
        again = the_run(studio)
        assert (again.status, again.pages) == ("done", 6)
    finally:
        install_render_pool(None)
        pool.stop()


def test_without_a_pool_and_in_a_forked_process_documents_render_here(app, pool):
    from app.core.pdf import render_pool

    assert render_pool() is None  # the web process, the quick start
    install_render_pool(pool)
    try:
        assert render_pool() is pool
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # a work-horse: its parent's children are not its own
            os.write(writer, b"none" if render_pool() is None else b"pool")
            os._exit(0)
        os.waitpid(pid, 0)
        assert os.read(reader, 4) == b"none"
    finally:
        install_render_pool(None)


def test_print_runs_run_in_the_worker_beside_its_pool_with_a_heartbeat_for_the_whole_job(app):
    from workers.__main__ import FitFlowWorker, runs_in_process

    with app.app_context():
        conn = redis_connection()
        documents = Queue("documents", connection=conn)
        run = documents.enqueue("workers.jobs.documents.print_invoices", 1, job_timeout=300)
        one = documents.enqueue("workers.jobs.documents.render_invoice_pdf", 1, job_timeout=300)
        worker = FitFlowWorker(["documents"], connection=conn)
        assert runs_in_process(run) and not runs_in_process(one)  # a single PDF: a work-horse
        assert worker.get_heartbeat_ttl(run) == 360  # the whole timeout, not the horse's 90 s
        assert worker.get_heartbeat_ttl(one) == 90
        documents.empty()


@pytest.mark.concurrency
def test_the_worker_prints_with_its_pool_and_stops_it_when_it_stops(app, smtp):
    """`python -m workers --burst`: the run is printed, and the pool's children, named in its
    log, are gone once the worker has stopped."""
    app.config["JOBS_CAPTURE"] = None
    with app.app_context():
        redis_connection().flushdb()
        studio = StudioFactory(slug=f"pool-{uuid.uuid4().hex[:8]}")
        manager = staff(studio, Role.STUDIO_ADMIN)
        issue(studio, 3, day=datetime(2026, 5, 10, 12, tzinfo=UTC))
        db.session.commit()
        client = app.test_client()
        client.post("/login", data={"email": manager.email, "password": "secret-pass"})
        assert start(client, studio, "2026-05-01", "2026-05-31").status_code == 303
        studio_id = studio.id

    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "REDIS_URL": app.config["REDIS_URL"], "SECRET_KEY": app.config["SECRET_KEY"],
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port),
           "BASE_URL": "http://fitflow.test", "PDF_RENDER_PROCESSES": "2"}
    out = subprocess.run([sys.executable, "-m", "workers", "--burst", "documents"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    log = out.stdout + out.stderr
    (line,) = [line for line in log.splitlines() if "render pool: 2 children" in line]
    pids = [int(p) for p in line.split("(pids ")[1].split(")")[0].split()]
    assert "render pool stopped" in log
    assert [_gone(pid) for pid in pids] == [True, True]
    with app.app_context():
        run = db.session.scalars(select(PrintRun).where(PrintRun.studio_id == studio_id)).one()
        assert (run.status, run.done, run.pages) == ("done", 3, 3)


def _gone(pid: int) -> bool:
    """No such process, or one that has exited and waits only to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


def _html(text: str) -> str:
    return (f'<html><head><link rel="stylesheet" href="/static/css/pdf.css"></head>'
            f"<body><p>{text}</p></body></html>")


def test_a_caller_that_stops_early_leaves_no_answer_for_the_next(app, pool):
    base = "http://fitflow.test"
    first = pool.render_all([_html(f"first {n}") for n in range(4)], base_url=base)
    next(first)
    first.close()  # a cancelled run: the children were rendering what it will never take
    (pdf,) = pool.render_all([_html("second")], base_url=base)
    with app.app_context():
        from app.core.pdf import render_pdf

        assert pdf == render_pdf(_html("second"), base_url=base)


def test_a_document_the_child_cannot_render_fails_and_the_child_renders_the_next(pool):
    from workers.render_pool import RenderFailed

    with pytest.raises(RenderFailed, match="TypeError"):
        list(pool.render_all([12345], base_url="http://fitflow.test"))
    (pdf,) = pool.render_all([_html("next")], base_url="http://fitflow.test")
    assert pdf.startswith(b"%PDF")
