"""Bulk printing without Redis (the embedded quick start): the job runs on a thread beside the
web process, the request that starts it answers at once, and the progress panel moves while the
documents render, on real commits (no test transaction around them)."""

import subprocess
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.studios.models import Role
from tests.factories import StudioFactory, UserFactory, paid_order, staff
from tests.pages import Page

pytestmark = [pytest.mark.concurrency, pytest.mark.xdist_group("concurrency")]
HTMX = {"HX-Request": "true"}


@pytest.fixture
def inline(app):
    saved = app.config["JOBS_INLINE"], app.config.get("JOBS_CAPTURE")
    app.config.update(JOBS_INLINE=True, JOBS_CAPTURE=None)
    yield
    app.config.update(JOBS_INLINE=saved[0], JOBS_CAPTURE=saved[1])


def wait_for(check, what: str, timeout: float = 30):
    """Poll `check` until it returns something true (a real wait on another thread's commit)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_without_redis_the_run_goes_on_beside_the_web_process(app, inline, monkeypatch):
    import app.billing.services.printing as documents

    with app.app_context():
        studio = StudioFactory(slug=f"print-{uuid.uuid4().hex[:8]}")
        manager = staff(studio, Role.STUDIO_ADMIN)
        for i in range(3):
            _o, _p, invoice = paid_order(studio, UserFactory())
            invoice.issued_at = datetime(2026, 6, 10, 12, tzinfo=UTC) + timedelta(hours=i)
        db.session.commit()
        slug, manager_email = studio.slug, manager.email

    # Each document waits for the test's word, so the test sees every step of the bar.
    go = [threading.Event() for _ in range(3)]
    real, started = documents.stored_pdf, []

    def bind_when_told(*args, **kwargs):
        started.append(1)
        assert go[len(started) - 1].wait(timeout=30)
        return real(*args, **kwargs)

    monkeypatch.setattr(documents, "stored_pdf", bind_when_told)
    client = app.test_client()
    client.post("/login", data={"email": manager_email, "password": "secret-pass"})
    answer = client.post(f"/manage/{slug}/printing?lang=en",
                         data={"date_from": "2026-06-01", "date_to": "2026-06-30"})
    assert answer.status_code == 303  # answered while the job waits on its first document
    url = answer.headers["Location"]

    def state():
        return Page(client.get(url + "?lang=en", headers=HTMX)).text("#run-progress .print-state")

    assert wait_for(lambda: state() == "0 of 3", "the run to start")
    for n in range(3):
        go[n].set()
        if n < 2:
            assert wait_for(lambda n=n: state() == f"{n + 1} of 3", f"{n + 1} of 3")
    assert wait_for(lambda: state() == "Ready: 3 documents", "the PDF")
    pdf = client.get(url + ".pdf")
    assert pdf.status_code == 200
    info = subprocess.run(["pdfinfo", "-"], input=pdf.data, capture_output=True,
                          check=True).stdout.decode()
    assert "Pages:           3" in info
