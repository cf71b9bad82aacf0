"""Certificates: issuing after a check-in, rendering the PDF, e-mailing it; expiry reminders;
deletion 3 years after expiry."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import undefer

from app.bookings.models import Booking
from app.certificates.models import Certificate
from app.certificates.services import reminders, retention
from app.certificates.services.documents import certificate_context, store_pdf
from app.certificates.services.issuing import auto_issue
from app.core.db import utcnow
from app.core.jobs import enqueue_after_commit
from app.core.pdf import render_template_pdf
from app.core.queues import get_queue
from app.extensions import db
from app.notifications.services import send_email
from workers.jobs import job


@job
def issue_after_check_in(booking_id: int) -> int:
    """The certificates a check-in completes (none if it was undone meanwhile, none twice)."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        return 0
    return len(auto_issue(booking))


@job
def render_certificate_pdf(certificate_id: int) -> bool:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or certificate.pdf_sha256 is not None:
        return False
    pdf = render_template_pdf("pdf/certificate.html", locale=certificate.languages[0],
                              doc=certificate_context(certificate))
    return store_pdf(certificate, pdf)


@job
def send_certificate_email(certificate_id: int) -> bool:
    """E-mail the holder their certificate with its PDF (once: dedup key)."""
    certificate = db.session.scalar(select(Certificate).where(Certificate.id == certificate_id)
                                    .options(undefer(Certificate.pdf)))
    if certificate is None or certificate.pdf is None or certificate.revoked_at is not None:
        return False
    return send_email(certificate.holder, "certificate_issued",
                      dedup_key=f"certificate:{certificate.id}", certificate=certificate,
                      attachments=[(f"{certificate.number}.pdf", certificate.pdf,
                                    "application/pdf")])


REMIND_EVERY = timedelta(hours=6)
REMIND_JOB_ID = "certificate-reminders"


@job
def queue_expiry_reminders() -> int:
    """One job per reminder due now (each sends once: its dedup key)."""
    due = reminders.due_reminders()
    for reminder in due:
        enqueue_after_commit("workers.jobs.certificates.send_expiry_reminder",
                             reminder.certificate_id, reminder.kind, queue="notifications")
    return len(due)


@job
def send_expiry_reminder(certificate_id: int, kind: str) -> bool:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not reminders.still_due(certificate, kind):
        return False
    return send_email(certificate.holder, "certificate_expiring",
                      dedup_key=reminders.Reminder(certificate_id, kind).dedup_key,
                      certificate=certificate, expired=kind == "expired",
                      book_url=reminders.next_run_url(certificate))


def schedule_reminders() -> None:
    """Look for due reminders again in a few hours (one scheduled job, whoever starts it)."""
    get_queue("default").enqueue_in(REMIND_EVERY,
                                    "workers.jobs.certificates.run_and_reschedule",
                                    job_id=REMIND_JOB_ID)


def run_and_reschedule() -> int:
    try:
        return queue_expiry_reminders()
    finally:
        schedule_reminders()


ERASE_EVERY = timedelta(days=1)
ERASE_JOB_ID = "certificate-retention"


@job
def erase_expired_certificates() -> int:
    """Delete the certificates kept their 3 years after expiry (daily)."""
    return retention.erase_expired_certificates(utcnow().date())


def schedule_erasure() -> None:
    """Erase again tomorrow (one scheduled job, whoever starts it)."""
    get_queue("default").enqueue_in(ERASE_EVERY,
                                    "workers.jobs.certificates.erase_and_reschedule",
                                    job_id=ERASE_JOB_ID)


def erase_and_reschedule() -> int:
    try:
        return erase_expired_certificates()
    finally:
        schedule_erasure()
