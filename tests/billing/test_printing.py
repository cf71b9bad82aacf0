"""Bulk printing: a month of invoices becomes one PDF with every document's pages and a ZIP of
the single PDFs (each rendered and stored once), the progress panel follows the job (and a
reload), a cancel stops the job, files expire after 7 days, bad dates are 422, and another
studio's runs are 404."""

import io
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.billing.models import PrintFilePart, PrintRun, PrintRunStatus
from app.core.db import utcnow
from app.extensions import db
from app.studios.models import Role
from tests.conftest import login
from tests.factories import StudioFactory, UserFactory, paid_order, staff
from tests.pages import Page

HTMX = {"HX-Request": "true"}


@pytest.fixture
def studio(app):
    return StudioFactory(invoice_prefix="PRN")


@pytest.fixture
def manager(client, studio):
    user = staff(studio, Role.STUDIO_ADMIN, name="Mona Manager")
    login(client, user)
    return user


def issue(studio, count, day=datetime(2026, 6, 10, 15, tzinfo=UTC)):
    made = []
    for i in range(count):
        _o, _p, invoice = paid_order(studio, UserFactory(name=f"Customer {i}"))
        invoice.issued_at = day + timedelta(hours=i)
        made.append(invoice)
    db.session.flush()
    return made


def start(client, studio, first="2026-06-01", last="2026-06-30"):
    return client.post(f"/manage/{studio.slug}/printing?lang=en",
                       data={"date_from": first, "date_to": last})


def the_run(studio) -> PrintRun:
    db.session.expire_all()
    return db.session.scalars(select(PrintRun).where(PrintRun.studio_id == studio.id)
                              .order_by(PrintRun.id.desc())).first()


def page_count(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.decode().splitlines()
                    if line.startswith("Pages:")))


def test_a_month_prints_into_one_pdf_and_the_panel_follows_the_job(client, studio, manager,
                                                                    jobs, run_jobs, monkeypatch):
    june = issue(studio, 3)
    issue(studio, 1, day=datetime(2026, 7, 2, 15, tzinfo=UTC))  # another month: not printed
    issue(StudioFactory(), 2)  # another studio: not printed
    db.session.commit()

    response = start(client, studio)
    assert response.status_code == 303
    run = the_run(studio)
    assert response.headers["Location"].endswith(f"/printing/{run.id}")
    assert (run.total, run.done, run.status, run.created_by_id) == (3, 0, "queued", manager.id)
    page = client.get(f"/manage/{studio.slug}/printing/{run.id}?lang=en")
    panel = Page(page).one("#run-progress")
    assert panel.get("hx-trigger") == "every 1s" and "Waiting to start" in text(page)

    # What a reload or a poll shows after each document the worker renders.
    import app.billing.services.printing as documents

    seen = []
    real = documents.render_template_pdf

    def render_and_look(*args, **kwargs):
        result = real(*args, **kwargs)
        poll = client.get(f"/manage/{studio.slug}/printing/{run.id}?lang=en", headers=HTMX)
        seen.append((Page(poll).text("#run-progress .print-state"),
                     Page(poll).one("#run-progress progress").get("value")))
        return result

    monkeypatch.setattr(documents, "render_template_pdf", render_and_look)
    jobs[:] = [j for j in jobs if j[0].endswith("print_invoices")]  # not the single renders
    ran = run_jobs()
    assert ran[0] == ("workers.jobs.documents.print_invoices", (run.id,), True)
    # Polled while document n renders, the panel shows the n - 1 committed before it.
    assert seen == [("0 of 3", "0"), ("1 of 3", "1"), ("2 of 3", "2")]

    run = the_run(studio)
    assert (run.status, run.done, run.pages) == ("done", 3, 3)
    assert run.expires_at - run.finished_at == timedelta(days=7)
    done = client.get(f"/manage/{studio.slug}/printing/{run.id}?lang=en")
    assert Page(done).one("#run-progress").get("hx-trigger") is None  # polling stops
    assert "Download the PDF (3 pages)" in text(done)
    pdf = client.get(f"/manage/{studio.slug}/printing/{run.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert page_count(pdf.data) == 3
    merged = PdfReader(io.BytesIO(pdf.data), strict=True)
    assert merged.page_labels == ["1", "2", "3"]  # numbered on across the documents
    words = pdf_text(pdf.data)
    assert [invoice.number in words for invoice in june] == [True, True, True]
    assert words.index(june[0].number) < words.index(june[2].number)
    # Each invoice's PDF was stored once on it, and the ZIP holds exactly those files.
    db.session.expire_all()
    assert all(invoice.pdf and invoice.pdf.startswith(b"%PDF") for invoice in june)
    archive = client.get(f"/manage/{studio.slug}/printing/{run.id}.zip")
    assert archive.status_code == 200 and archive.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.data)) as bundle:
        assert bundle.namelist() == [f"{invoice.number}.pdf" for invoice in june]
        assert [bundle.read(f"{i.number}.pdf") for i in june] == [i.pdf for i in june]
    # The stored PDFs' emails follow, and the job that clears the files when they expire
    # was queued (and does nothing before).
    assert sorted(ran[1:]) == sorted(
        [("workers.jobs.documents.send_invoice_email", (invoice.id,), True) for invoice in june]
        + [("workers.jobs.documents.expire_print_run", (run.id,), False)])


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()


def test_stored_pdfs_are_bound_as_they_are_and_not_rendered_again(client, studio, manager,
                                                                  jobs, run_jobs, monkeypatch):
    invoices = issue(studio, 2)
    db.session.commit()
    run_jobs("render_invoice_pdf")  # as after issuing: each invoice's PDF stored
    db.session.expire_all()
    stored = [invoice.pdf for invoice in invoices]
    assert all(stored)
    start(client, studio)
    import app.billing.services.printing as documents

    monkeypatch.setattr(documents, "render_template_pdf", lambda *a, **k: pytest.fail("again"))
    run_jobs("print_invoices")
    run = the_run(studio)
    assert (run.status, run.pages) == ("done", 2)
    archive = client.get(f"/manage/{studio.slug}/printing/{run.id}.zip")
    with zipfile.ZipFile(io.BytesIO(archive.data)) as bundle:
        assert [bundle.read(name) for name in bundle.namelist()] == stored
    merged = client.get(f"/manage/{studio.slug}/printing/{run.id}.pdf").data
    assert page_count(merged) == 2
    assert [invoice.number in pdf_text(merged) for invoice in invoices] == [True, True]


def text(response) -> str:
    return Page(response).text("main")


def test_cancel_stops_the_job_and_stores_nothing(client, studio, manager, run_jobs,
                                                 monkeypatch):
    issue(studio, 5)
    db.session.commit()
    start(client, studio)
    run = the_run(studio)
    import app.billing.services.printing as documents

    rendered = []
    real = documents.render_template_pdf

    def render_and_cancel(*args, **kwargs):
        rendered.append(1)
        if len(rendered) == 2:  # staff cancel while the second document renders
            answer = client.post(f"/manage/{studio.slug}/printing/{run.id}/cancel?lang=en")
            assert answer.status_code == 303
        return real(*args, **kwargs)

    monkeypatch.setattr(documents, "render_template_pdf", render_and_cancel)
    assert run_jobs("print_invoices")[0][2] is False
    assert len(rendered) == 2  # the job stopped at the next step, not after all five
    run = the_run(studio)
    assert (run.status, run.done) == ("cancelled", 1)
    assert stored_parts(run) == 0
    page = client.get(f"/manage/{studio.slug}/printing/{run.id}?lang=en")
    assert "Cancelled" in text(page) and Page(page).one("#run-progress").get("hx-get") is None
    assert client.get(f"/manage/{studio.slug}/printing/{run.id}.pdf").status_code == 409
    assert client.get(f"/manage/{studio.slug}/printing/{run.id}.zip").status_code == 409
    again = client.post(f"/manage/{studio.slug}/printing/{run.id}/cancel?lang=en")
    assert again.status_code == 409
    # A cancelled run does not hold the studio: a new one can start.
    assert start(client, studio).status_code == 303


def test_a_finished_file_expires_after_7_days(client, studio, manager, jobs, run_jobs):
    issue(studio, 1)
    db.session.commit()
    start(client, studio)
    run_jobs("print_invoices")
    run = the_run(studio)
    url = f"/manage/{studio.slug}/printing/{run.id}"
    from workers.jobs.documents import expire_print_run

    assert expire_print_run(run.id) is False  # not yet: the files stay
    assert client.get(url + ".pdf").status_code == 200
    assert client.get(url + ".zip").status_code == 200
    run.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    gone = client.get(url + ".pdf?lang=en")
    assert gone.status_code == 410 and "This file has expired" in text(gone)
    assert client.get(url + ".zip?lang=en").status_code == 410
    assert stored_parts(run) == 2
    assert expire_print_run(run.id) is True
    assert stored_parts(run) == 0
    assert "This file has expired" in text(client.get(url + "?lang=en"))


def stored_parts(run) -> int:
    return db.session.scalar(select(func.count()).select_from(PrintFilePart)
                             .where(PrintFilePart.print_run_id == run.id))


@pytest.mark.parametrize("first, last, status, message", [
    ("", "2026-06-30", 422, "This field is required."),
    ("2026-06-30", "2026-06-01", 422, "The end date must not be before the start date."),
    ("2025-01-01", "2026-06-30", 422, "Choose at most 366 days."),
    ("1100-01-01", "1100-01-02", 422, "Enter a date between"),
    ("2026-05-01", "2026-05-31", 422, "No invoices or credit notes were issued in these dates."),
])
def test_bad_dates_are_refused_and_nothing_is_queued(client, studio, manager, jobs, first, last,
                                                     status, message):
    issue(studio, 1)
    db.session.commit()
    response = start(client, studio, first, last)
    assert response.status_code == status
    assert message in text(response)
    assert the_run(studio) is None
    assert not [j for j in jobs if j[0].endswith("print_invoices")]


def test_one_run_at_a_time_per_studio(client, studio, manager, jobs):
    issue(studio, 1)
    db.session.commit()
    assert start(client, studio).status_code == 303
    second = start(client, studio)
    assert second.status_code == 409
    assert "A print run is already under way" in text(second)


def test_another_studios_runs_are_404_and_the_desk_cannot_print(client, studio, manager, jobs,
                                                                 run_jobs):
    other = StudioFactory()
    issue(other, 1)
    db.session.add(PrintRun(studio_id=other.id, date_from=datetime(2026, 6, 1).date(),
                            date_to=datetime(2026, 6, 30).date(), total=1, done=1,
                            status=PrintRunStatus.DONE))
    db.session.flush()
    theirs = the_run(other)
    db.session.add_all([PrintFilePart(print_run_id=theirs.id, kind=kind, seq=0,
                                      data=b"theirs") for kind in ("pdf", "zip")])
    db.session.commit()
    base = f"/manage/{studio.slug}/printing/{theirs.id}"
    assert client.get(base).status_code == 404
    assert client.get(base + ".pdf").status_code == 404
    assert client.get(base + ".zip").status_code == 404
    assert client.post(base + "/cancel").status_code == 404
    desk = staff(studio, Role.FRONT_DESK)
    db.session.commit()
    login(client, desk)
    assert client.get(f"/manage/{studio.slug}/printing").status_code == 404
    assert client.get(f"/manage/{studio.slug}/invoices").status_code == 200


def test_the_printing_page_lists_runs_in_arabic(client, studio, manager, jobs):
    issue(studio, 2)
    db.session.commit()
    start(client, studio)
    page = client.get(f"/manage/{studio.slug}/printing?lang=ar")
    assert page.status_code == 200
    assert "طباعة الفواتير" in Page(page).text("h1")
    assert "Mona Manager" in text(page)
