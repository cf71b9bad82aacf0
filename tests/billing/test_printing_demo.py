"""The demo holds a finished print run at the Riyadh studio: its printing page offers the
merged PDF and the ZIP on first view, and both hold this month's invoices."""

import io
import zipfile

from pypdf import PdfReader
from sqlalchemy import select

from app.accounts.models import User
from app.billing.models import Invoice
from app.demo.loader import load_demo
from app.extensions import db
from app.studios.models import Studio
from tests.conftest import login
from tests.pages import Page


def test_the_riyadh_printing_page_offers_the_demo_run(app, ctx, client, jobs):
    load_demo()
    load_demo()  # idempotent: still one run
    riyadh = db.session.scalar(select(Studio).where(Studio.slug == "riyadh"))
    login(client, db.session.scalar(select(User).where(User.email == "owner@example.com")),
          password="fitflow-demo")
    page = client.get("/manage/riyadh/printing?lang=en")
    (link,) = Page(page).all(".print-runs tbody a")
    run_page = client.get(link.get("href") + "?lang=en")
    assert "Download the PDF" in Page(run_page).text("#run-progress")
    pdf = client.get(link.get("href") + ".pdf")
    assert pdf.status_code == 200
    numbers = db.session.scalars(select(Invoice.number).where(Invoice.studio_id == riyadh.id)
                                 .order_by(Invoice.issued_at, Invoice.id)).all()
    assert len(PdfReader(io.BytesIO(pdf.data)).pages) >= len(numbers) > 0
    archive = zipfile.ZipFile(io.BytesIO(client.get(link.get("href") + ".zip").data))
    assert archive.namelist() == [f"{number}.pdf" for number in numbers]
