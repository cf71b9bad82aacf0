"""A customer on a phone pays for classes with a pass: buy a 10-class pack (pay at the studio)
and book in one flow, watch the credit go and come back, download the invoice — ar and en."""

import re
import subprocess
import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts.models import User
from app.billing.models import Invoice, Order, PaymentMethod
from app.billing.services.payments import record_payment
from app.core.db import utcnow
from app.extensions import db
from app.studios.models import Studio
from tests.e2e.conftest import Texts, sign_in
from tests.factories import ClassFactory, ClassTypeFactory, PlanFactory, StudioFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
TZ = "Asia/Riyadh"


@pytest.fixture
def shop(live_app):
    """A studio that requires a pass, sells a 10-class pack, and has a class tomorrow evening."""
    with live_app.app_context():
        slug = f"pay-{uuid.uuid4().hex[:6]}"
        studio = StudioFactory(slug=slug, default_language="ar", booking_requires_pass=True,
                               prices_include_tax=True, invoice_prefix="E2E",
                               name={"en": "FitFlow Riyadh", "ar": "فت فلو الرياض"},
                               location__timezone=TZ, location__currency="SAR",
                               location__tax_jurisdiction="SA")
        kind = ClassTypeFactory(studio=studio,
                                name={"en": "Morning strength", "ar": "تمارين القوة"})
        tomorrow = utcnow().astimezone(ZoneInfo(TZ)).date() + timedelta(days=1)
        start = datetime.combine(tomorrow, time(18), ZoneInfo(TZ)).astimezone(ZoneInfo("UTC"))
        cls = ClassFactory(studio=studio, class_type_id=kind.id, starts_at=start,
                           ends_at=start + timedelta(hours=1))
        PlanFactory(studio=studio, name={"en": "10-class pack", "ar": "باقة 10 حصص"},
                    price_minor=45000, currency="SAR", credits=10)
        customer = UserFactory(email=f"payer-{uuid.uuid4().hex[:6]}@example.com")
        staff = UserFactory()
        db.session.commit()
        return slug, cls.id, customer.email, customer.id, staff.id


@pytest.mark.parametrize("phone", ["ar", "en"], indirect=True)
def test_buy_a_pack_book_cancel_and_download_the_invoice(phone, live_app, live_server, shop,
                                                         artifacts_dir, tmp_path):
    lang, page, problems = phone
    slug, class_id, email, customer_id, staff_id = shop
    t = Texts(live_app, lang)

    def credits_left(n):
        with live_app.test_request_context():
            from flask_babel import force_locale, ngettext
            with force_locale(lang):
                return ngettext("%(count)s credit left", "%(count)s credits left", n, count=n)

    def shot(name):
        page.screenshot(path=artifacts_dir / f"money-{name}-{lang}.png")

    sign_in(page, live_server, t, lang, email)

    # No pass yet: the class offers the passes that would let them book.
    page.goto(f"{live_server}/s/{slug}/classes/{class_id}")
    panel = page.locator(f"#booking-panel-{class_id}")
    panel.get_by_role("link", name=t("Choose a pass to book")).tap()
    expect(page).to_have_url(f"{live_server}/s/{slug}/plans?class_id={class_id}")
    expect(page.locator("header.topbar")).to_have_count(1)  # a whole page, not one in the panel
    card = page.locator(".plan-card").first
    expect(card).to_contain_text("450.00")
    shot("01-plans")
    card.get_by_role("button", name=t("Get it and book, pay at the studio")).tap()

    # Bought and booked in one flow, back on the class.
    expect(page.get_by_text(t("Your pass is ready and the class is booked. "
                              "Please pay at the studio."))).to_be_visible()
    expect(panel.locator(".badge-ok")).to_have_text(t("You're booked"))
    shot("02-booked")
    page.goto(f"{live_server}/me/wallet")
    expect(page.locator("#wallet-list .plan-price")).to_have_text(credits_left(9))
    shot("03-wallet-9")

    # Cancel in time: told first that the credit comes back, then it does.
    page.goto(f"{live_server}/s/{slug}/classes/{class_id}")
    panel.get_by_role("link", name=t("Cancel booking")).tap()
    confirm = panel.get_by_role("alertdialog")
    expect(confirm).to_contain_text(t("You keep your credit: it goes back to your pass."))
    shot("04-cancel-confirm")
    confirm.get_by_role("button", name=t("Yes, cancel")).tap()
    book = re.compile("^" + re.escape(t("Book")) + ":")
    expect(panel.get_by_role("button", name=book)).to_be_visible()
    page.goto(f"{live_server}/me/wallet")
    expect(page.locator("#wallet-list .plan-price")).to_have_text(credits_left(10))

    # The desk records the payment; the invoice (rendered by the job) is the customer's to download.
    with live_app.app_context():
        studio = db.session.scalar(select(Studio).where(Studio.slug == slug))
        order = db.session.scalar(select(Order).where(Order.customer_id == customer_id))
        staff = db.session.get(type(order.customer), staff_id)
        record_payment(studio, order, amount_minor=order.gross_minor,
                       method=PaymentMethod.CARD_TERMINAL, actor=staff)
        db.session.commit()
        number = db.session.scalar(select(Invoice.number).where(Invoice.order_id == order.id))
    page.goto(f"{live_server}/me/invoices")
    row = page.locator(".booking-row", has_text=number)
    shot("05-invoices")
    with page.expect_download() as download_info:
        row.get_by_role("link", name=t("Download PDF")).tap()
    pdf = tmp_path / "invoice.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert number in text and "450.00" in text and "58.70" in text  # VAT 15 % inside 450.00
    assert problems == []


@pytest.mark.parametrize("phone", ["ar"], indirect=True)
def test_stop_a_membership_in_three_taps(phone, live_app, live_server, shop):
    from app.memberships.models import Period, PlanKind
    from app.memberships.services import grant_pass

    lang, page, problems = phone
    slug, _class_id, email, customer_id, _staff_id = shop
    t = Texts(live_app, lang)
    with live_app.app_context():
        studio = db.session.scalar(select(Studio).where(Studio.slug == slug))
        plan = PlanFactory(studio=studio, kind=PlanKind.MEMBERSHIP, credits=None,
                           validity_days=None, period=Period.MONTH, currency="SAR",
                           name={"en": "Unlimited monthly", "ar": "عضوية شهرية"})
        grant_pass(studio, plan, db.session.get(User, customer_id))
        db.session.commit()
    sign_in(page, live_server, t, lang, email)

    page.get_by_role("navigation", name=t("Shortcuts")).get_by_role(
        "link", name=t("Wallet")).tap()                                                        # 1
    page.get_by_role("link", name=t("Cancel membership")).tap()                                # 2
    page.get_by_role("alertdialog").get_by_role("button", name=t("Yes, stop renewing")).tap()  # 3
    expect(page.get_by_text(t("Your membership will not renew. "
                              "You can keep booking until it ends."))).to_be_visible()
    expect(page.locator("h1")).to_have_count(1)  # the page was swapped whole, not nested
    assert problems == []
