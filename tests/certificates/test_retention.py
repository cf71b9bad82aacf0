"""Retention: a certificate is kept 3 years after it expires; the daily job then deletes it
(its public page answers 404), keeps the one a day short of that, keeps certificates without an
expiry, and a renewal of a deleted certificate stays valid as the first of its chain."""

from datetime import timedelta

from sqlalchemy import select

from app.certificates.models import Certificate
from app.certificates.services import issuing
from app.core.db import utcnow
from app.extensions import db
from tests.certificates.helpers import course_world, customer
from workers.jobs import certificates as certificate_jobs


def issued(studio, manager, course, *, expired_days_ago=None, name="Layla"):
    certificate = issuing.issue_certificate(studio, course, customer(name=name), actor=manager,
                                            check_rule=False)
    if expired_days_ago is not None:
        expires = utcnow().date() - timedelta(days=expired_days_ago)
        certificate.issued_on = expires - timedelta(days=365)
        certificate.expires_on = expires
    db.session.commit()
    return certificate


def years_ago(years: int, days: int) -> int:
    """Days since the date `years` years (calendar) and `days` days before today."""
    today = utcnow().date()
    try:
        then = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        then = today.replace(year=today.year - years, day=28)
    return (today - then).days + days


def test_deleted_3_years_and_a_day_after_expiry_kept_a_day_before(app, ctx, client, jobs):
    studio, manager, course, _ = course_world(auto_issue=False)
    old = issued(studio, manager, course, expired_days_ago=years_ago(3, 1), name="Old")
    recent = issued(studio, manager, course, expired_days_ago=years_ago(3, -1), name="Recent")
    forever = issued(studio, manager, course, name="Forever")
    forever.expires_on = None
    db.session.commit()
    old_id, old_code = old.id, old.code
    assert client.get(f"/c/{old_code}?lang=en").status_code == 200  # still there before

    assert certificate_jobs.erase_expired_certificates() >= 1
    db.session.expire_all()
    assert db.session.get(Certificate, old_id) is None
    assert client.get(f"/c/{old_code}?lang=en").status_code == 404
    kept = client.get(f"/c/{recent.code}?lang=en")
    assert kept.status_code == 200 and "Recent" in kept.text
    assert db.session.get(Certificate, forever.id) is not None
    certificate_jobs.erase_expired_certificates()  # daily: the next run keeps them too
    assert client.get(f"/c/{recent.code}?lang=en").status_code == 200


def test_a_renewal_outlives_the_certificate_it_renewed(app, ctx, client, jobs):
    studio, manager, course, _ = course_world(auto_issue=False)
    first = issued(studio, manager, course, expired_days_ago=years_ago(3, 10))
    renewal = issuing.renew(studio, first, actor=manager)
    db.session.commit()
    first_id, renewal_id = first.id, renewal.id

    certificate_jobs.erase_expired_certificates()
    db.session.expire_all()
    assert db.session.get(Certificate, first_id) is None
    kept = db.session.get(Certificate, renewal_id)
    assert kept.replaces_id is None
    page = client.get(f"/c/{kept.code}?lang=en")
    assert page.status_code == 200 and "valid" in page.text.lower()
    ids = db.session.scalars(select(Certificate.id).where(Certificate.course_id == course.id))
    assert list(ids) == [renewal_id]


def test_the_worker_erases_daily(app, ctx, monkeypatch):
    queued = []

    class Queue:
        def enqueue_in(self, delay, func, job_id):
            queued.append((delay, func, job_id))

    monkeypatch.setattr(certificate_jobs, "get_queue", lambda name: Queue())
    certificate_jobs.erase_and_reschedule()
    assert queued == [(timedelta(days=1), "workers.jobs.certificates.erase_and_reschedule",
                       "certificate-retention")]
