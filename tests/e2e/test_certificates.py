"""Done for certificates, in Arabic: staff define a course, a coach checks a customer in to its
last session, the job issues the certificate, a stranger's phone opens the URL in its QR code
and reads "valid"; staff revoke it and the same page says "revoked"."""

import subprocess
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import undefer

from app.bookings import services as booking_services
from app.bookings.models import Booking, BookingStatus
from app.certificates.models import Certificate
from app.core.db import utcnow
from app.extensions import db
from app.studios.models import Role, Studio
from tests.e2e.conftest import PHONE, Texts, sign_in
from tests.factories import ClassFactory, ClassTypeFactory, UserFactory, staff

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}


def qr_url(pdf: bytes, tmp_path) -> str:
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", str(tmp_path / "c.pdf"),
                    str(tmp_path / "c")], check=True)
    return subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "c.png")],
                          capture_output=True, text=True, check=True).stdout.strip()


def test_a_course_ends_in_a_certificate_anyone_can_check(new_context, live_app, live_server,
                                                         artifacts_dir, tmp_path):
    t = Texts(live_app, "ar")
    tag = uuid.uuid4().hex[:6]
    course_name = f"دورة الإسعافات {tag}"
    with live_app.app_context():
        studio = db.session.scalar(select(Studio).where(Studio.slug == "e2e"))
        admin = staff(studio, Role.STUDIO_ADMIN, email=f"admin-{tag}@example.com")
        first_aid = ClassTypeFactory(studio=studio, name={"en": f"First aid {tag}",
                                                          "ar": f"إسعافات {tag}"})
        now = utcnow()
        first = ClassFactory(studio=studio, class_type_id=first_aid.id,
                             starts_at=now - timedelta(days=7),
                             ends_at=now - timedelta(days=7) + timedelta(hours=1))
        last = ClassFactory(studio=studio, class_type_id=first_aid.id,
                            starts_at=now - timedelta(minutes=30),
                            ends_at=now + timedelta(minutes=30))
        customer = UserFactory(name=f"ليلى حداد {tag}", locale="ar",
                               email=f"layla-{tag}@example.com")
        db.session.add(Booking(studio_id=studio.id, class_id=first.id, customer_id=customer.id,
                               status=BookingStatus.ATTENDED, booked_by_id=customer.id))
        booking_services.book_class(studio, last, customer, actor=admin, staff=True)
        db.session.commit()
        admin_email, last_id, customer_id = admin.email, last.id, customer.id

    staff_context = new_context(locale="ar", **TABLET)
    page = staff_context.new_page()
    sign_in(page, live_server, t, "ar", admin_email)
    page.goto(f"{live_server}/manage/e2e/certificates/new")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.get_by_label(t("Name (English)")).fill(f"First aid course {tag}")
    page.get_by_label(t("Name (Arabic)")).fill(course_name)
    page.get_by_label(t("Class type")).select_option(label=f"إسعافات {tag}")
    page.get_by_label(t("Sessions to attend")).fill("2")
    page.get_by_label(t("Certificate title (Arabic)")).fill("شهادة إتمام")
    page.get_by_label(t("Certificate title (English)")).fill("Certificate of completion")
    page.get_by_label(t("Valid for (months)")).fill("12")
    page.get_by_label(t("Signed by")).fill("هدى صالح")
    page.get_by_role("button", name=t("Save the course")).tap()
    expect(page.locator(".flashes")).to_contain_text(t("Course saved."))
    expect(page.locator("h1")).to_contain_text(course_name)

    # The coach's tablet: the last session's check-in completes the course.
    page.goto(f"{live_server}/coach/e2e/classes/{last_id}/")
    roster = page.locator(f"#roster-{last_id}")
    roster.locator(".roster-row", has_text=f"ليلى حداد {tag}").get_by_role(
        "button", name=t("Check in")).tap()
    expect(roster.locator(".alert")).to_contain_text(f"ليلى حداد {tag}")

    with live_app.app_context():  # the job ran after the check-in committed (inline here)
        certificate = db.session.scalar(select(Certificate).where(
            Certificate.holder_id == customer_id).options(undefer(Certificate.pdf)))
        assert certificate is not None and certificate.pdf is not None
        certificate_id, url = certificate.id, qr_url(certificate.pdf, tmp_path)
    assert url.startswith(f"{live_server}/c/")

    stranger = new_context(locale="ar", **PHONE)  # nobody signed in
    phone = stranger.new_page()
    phone.goto(url)
    check = phone.locator(".certificate-check")
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    expect(check.get_by_role("status")).to_contain_text(t("Valid"))
    expect(check).to_contain_text(f"ليلى حداد {tag}")
    expect(check).to_contain_text(course_name)
    phone.screenshot(path=artifacts_dir / "certificate-valid-ar.png", full_page=True)

    page.goto(f"{live_server}/manage/e2e/certificates/issued/{certificate_id}")
    page.get_by_label(t("Reason")).fill("أُصدرت بالخطأ")
    page.get_by_role("button", name=t("Revoke")).tap()
    expect(page.locator(".flashes")).to_contain_text(t("Certificate revoked."))
    staff_context.close()

    phone.reload()
    expect(check.get_by_role("status")).to_contain_text(t("Revoked"))
    expect(check).not_to_contain_text("بالخطأ")  # the reason stays with the studio
    phone.screenshot(path=artifacts_dir / "certificate-revoked-ar.png", full_page=True)
    stranger.close()
