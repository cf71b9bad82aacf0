"""A PDF still being rendered: the page polls its own URL and turns into the download once the
worker has stored the PDF (staff in the console and the customer alike)."""

import pytest

from app.billing.services.documents import store_pdf
from app.extensions import db
from app.studios.models import Role
from tests.conftest import login
from tests.factories import StudioFactory, UserFactory, paid_order, staff
from tests.pages import Page

HTMX = {"HX-Request": "true"}


@pytest.fixture
def studio(app):
    return StudioFactory()


def check_polls_then_downloads(client, url):
    page = client.get(url + "?lang=en")
    assert page.status_code == 409
    panel = Page(page).one("#pdf-status")
    assert panel.get("hx-get").startswith(url) and "polls=1" in panel.get("hx-get")
    assert panel.get("hx-trigger") == "every 1s"
    assert "being prepared" in Page(page).text("#pdf-status")

    waiting = client.get(panel.get("hx-get") + "&lang=en", headers=HTMX)
    assert waiting.status_code == 200 and b"<html" not in waiting.data
    assert "polls=2" in Page(waiting).one("#pdf-status").get("hx-get")
    # A tab left open long enough polls slowly.
    slow = client.get(url + "?polls=500&lang=en", headers=HTMX)
    assert Page(slow).one("#pdf-status").get("hx-trigger") == "every 10s"
    return panel


def check_ready(client, url, number):
    ready = client.get(url + "?polls=3&lang=en", headers=HTMX)
    assert ready.status_code == 200 and ready.mimetype == "text/html"
    panel = Page(ready).one("#pdf-status")
    assert panel.get("hx-get") is None and panel.get("hx-trigger") is None  # it stops polling
    link = Page(ready).one("#pdf-status a[download]")
    assert link.get("href") == url and f"Download {number}" in Page(ready).text("#pdf-status")
    download = client.get(url)
    assert download.status_code == 200 and download.data == b"%PDF-rendered"


def test_staff_pending_page_polls_and_turns_into_the_download(client, studio):
    login(client, staff(studio, Role.FRONT_DESK))
    _o, _p, invoice = paid_order(studio, UserFactory())
    db.session.commit()
    url = f"/manage/{studio.slug}/invoices/{invoice.id}.pdf"
    check_polls_then_downloads(client, url)
    store_pdf(invoice, b"%PDF-rendered")
    db.session.commit()
    check_ready(client, url, invoice.number)


def test_customer_pending_page_polls_and_turns_into_the_download(client, studio):
    customer = UserFactory()
    _o, _p, invoice = paid_order(studio, customer)
    db.session.commit()
    login(client, customer)
    url = f"/me/invoices/{invoice.id}.pdf"
    check_polls_then_downloads(client, url)
    store_pdf(invoice, b"%PDF-rendered")
    db.session.commit()
    check_ready(client, url, invoice.number)
    login(client, UserFactory())
    assert client.get(url, headers=HTMX).status_code == 404
