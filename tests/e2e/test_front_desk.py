"""The front desk in a browser (issue 18's done tests).

In Arabic, on the desk's tablet: find a member by typing her name without its hamza, book her
into a class from her page while selling her a drop-in paid in cash, check her in from the
class roster, and print her invoice. In English: book a company's group of four into a class,
paid in cash, and download the one invoice that lists them all.
"""

import io
import re
import uuid
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from app.billing.models import Invoice, Order
from app.bookings.models import Booking, BookingStatus
from app.extensions import db
from app.memberships.models import PlanKind
from app.studios.models import Role, Studio, StudioCustomer
from app.studios.services import ensure_customer
from tests.e2e.conftest import Texts, sign_in
from tests.factories import ClassFactory, PlanFactory, StudioFactory, UserFactory, staff

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}
WRITE = 20_000  # ms: a sale renders and stores its invoice PDF before it answers (jobs inline)


@pytest.fixture
def desk(live_app):
    """A studio of its own (Arabic, Riyadh, SAR) with a class tomorrow, a front-desk person and
    a drop-in on sale: the shared e2e studio's classes are rebuilt by other tests."""
    tag = uuid.uuid4().hex[:6]
    with live_app.app_context():
        studio = StudioFactory(slug=f"desk-{tag}", default_language="ar",
                               name={"en": f"Desk {tag}", "ar": f"مكتب {tag}"},
                               location__timezone="Asia/Riyadh", location__currency="SAR")
        cls = ClassFactory(studio=studio, hours_ahead=30, capacity=8)
        person = staff(studio, Role.FRONT_DESK, email=f"desk-{tag}@example.com")
        plan = PlanFactory(studio=studio, kind=PlanKind.DROP_IN, credits=1, currency="SAR",
                           price_minor=5750, name={"en": f"Drop-in {tag}", "ar": "حصة واحدة"})
        db.session.commit()
        return Desk(tag, studio.id, studio.slug, cls.id, person.email, plan.id)


@dataclass(frozen=True)
class Desk:
    tag: str
    studio_id: int
    slug: str
    class_id: int
    email: str
    plan_id: int


def _customer(live_app, desk: Desk, name: str, email: str) -> int:
    with live_app.app_context():
        user = UserFactory(name=name, email=email)
        ensure_customer(db.session.get(Studio, desk.studio_id), user)
        db.session.commit()
        return user.id


def _pdf(page, live_server: str, href: str) -> PdfReader:
    answer = page.request.get(f"{live_server}{href}")
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    return PdfReader(io.BytesIO(answer.body()))


def test_the_desk_finds_books_sells_checks_in_and_prints_in_arabic(
        new_context, live_app, live_server, desk, artifacts_dir):
    t, tag = Texts(live_app, "ar"), desk.tag
    asma_id = _customer(live_app, desk, f"أسماء الأحمد {tag}", f"asma-{tag}@example.com")

    page = new_context(locale="ar", **TABLET).new_page()
    sign_in(page, live_server, t, "ar", desk.email)
    page.goto(f"{live_server}/manage/{desk.slug}/customers")
    page.get_by_label(t("Name, email or phone")).press_sequentially(f"اسماء الاحمد {tag}")
    found = page.locator("#customer-results .customer-row")
    expect(found).to_have_count(1)  # typed as people type it: no hamza on either alef
    found.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"أسماء الأحمد {tag}")

    book = page.locator("form.desk-book")
    book.get_by_label(t("Class")).select_option(str(desk.class_id))
    book.get_by_label(t("Pay with")).select_option(str(desk.plan_id))
    book.get_by_label(t("Payment for the pass sold")).select_option("cash")
    book.get_by_role("button", name=t("Book")).tap()
    expect(page.locator("#customer-bookings [role=status]")).to_be_visible(timeout=WRITE)
    expect(page.locator("#customer-bookings .client-bookings li")).to_have_count(1)

    page.goto(f"{live_server}/coach/{desk.slug}/classes/{desk.class_id}/")
    row = page.locator("li, tr", has_text=f"أسماء الأحمد {tag}").last
    row.get_by_role("button", name=t("Check in")).tap()
    expect(page.get_by_text(t("Checked in: %(name)s", name=f"أسماء الأحمد {tag}"))).to_be_visible()

    page.goto(f"{live_server}/manage/{desk.slug}/customers/{asma_id}")
    invoices = page.locator(".customer-money li a[href*='invoices']")
    expect(invoices).to_have_count(1)
    page.screenshot(path=artifacts_dir / "desk-customer-ar.png", full_page=True)
    pdf = _pdf(page, live_server, invoices.first.get_attribute("href"))
    assert len(pdf.pages) == 1
    page.context.close()

    with live_app.app_context():
        [booking] = db.session.scalars(select(Booking).where(
            Booking.customer_id == asma_id, Booking.class_id == desk.class_id))
        assert booking.status == BookingStatus.ATTENDED
        [invoice] = db.session.scalars(select(Invoice).join(Order).where(
            Invoice.studio_id == desk.studio_id, Order.customer_id == asma_id))
        assert (invoice.gross_minor, invoice.currency) == (5750, "SAR")
        db.session.rollback()


def test_the_desk_books_a_company_group_of_four_and_downloads_its_invoice(
        new_context, live_app, live_server, desk):
    t, tag = Texts(live_app, "en"), desk.tag
    contact_id = _customer(live_app, desk, f"Dana Office {tag}", f"dana-{tag}@example.com")

    page = new_context(locale="en", **TABLET).new_page()
    sign_in(page, live_server, t, "en", desk.email)
    page.goto(f"{live_server}/manage/{desk.slug}/customers/{contact_id}?lang=en")
    contact_form = page.locator("#customer-contact")
    contact_form.get_by_label(t("Company (for a company or group contact)")).fill(
        f"Acme {tag}")
    contact_form.get_by_role("button", name=t("Save contact details")).tap()
    expect(contact_form.get_by_role("status")).to_have_text(t("Contact details saved."))
    page.reload()

    group = page.locator("#customer-group")
    group.get_by_label(t("Class")).select_option(str(desk.class_id))
    group.get_by_label(t("Price per place")).select_option(str(desk.plan_id))
    group.get_by_label(t("Payment")).select_option("cash")
    people = [f"Participant {n} {tag}, p{n}-{tag}@example.com" for n in range(1, 5)]
    group.get_by_label(t("Participants, one a line: name, email or phone")).fill(
        "\n".join(people))
    group.get_by_role("button", name=t("Book the group")).tap()
    expect(page.locator(".flashes")).to_contain_text(f"4 places booked for Acme {tag}",
                                                     timeout=WRITE)

    expect(page).to_have_url(re.compile(rf"/manage/{desk.slug}/orders/\d+"))  # the one order
    download = page.get_by_role("link", name=t("Download PDF"))
    expect(download).to_have_count(1)  # one invoice for the group
    with page.expect_download() as saved:
        download.click()
    pdf = PdfReader(saved.value.path())
    text = "".join(p.extract_text() for p in pdf.pages)
    # One invoice to the company for the four places (the studio invoices in Arabic: the
    # text extracted runs right to left around the Latin names, so they are checked below).
    assert len(pdf.pages) == 1 and f"Acme {tag}" in text and "230.00" in text  # 4 × 57.50
    page.context.close()

    with live_app.app_context():
        link = db.session.scalar(select(StudioCustomer).where(
            StudioCustomer.studio_id == desk.studio_id, StudioCustomer.user_id == contact_id))
        assert link.company_name == f"Acme {tag}"
        [invoice] = db.session.scalars(select(Invoice).join(Order).where(
            Invoice.studio_id == desk.studio_id, Order.customer_id == contact_id))
        assert all(f"Participant {n} {tag}" in invoice.order.description["ar"]
                   for n in range(1, 5))
        booked = db.session.scalars(select(Booking).where(
            Booking.class_id == desk.class_id,
            Booking.status == BookingStatus.CONFIRMED)).all()
        assert {b.customer.name for b in booked} >= {f"Participant {n} {tag}"
                                                   for n in range(1, 5)}
        db.session.rollback()
