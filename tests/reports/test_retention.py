"""Memberships and retention, monthly cohorts and certificates: known passes, bookings and
certificates, every figure checked in the CSV."""

import uuid
from datetime import timedelta

import pytest

from app.bookings.models import BookingStatus
from app.certificates.models import Certificate
from app.extensions import db
from app.memberships.models import Pass, PassFreeze, PassStatus, PlanKind
from app.schedule.queries import local_today
from app.studios.models import Role
from tests.certificates.helpers import course_world
from tests.conftest import login
from tests.factories import ClassTypeFactory, PlanFactory, StudioFactory, UserFactory, staff
from tests.reports.test_reports import _book, _class, _csv, utc

S = BookingStatus
NOVEMBER = {"start": "2026-11-01", "end": "2026-11-30"}


def _pass(studio, plan, customer, created, expires, **kw):
    row = Pass(studio_id=studio.id, customer_id=customer.id, plan_id=plan.id,
               credits_total=None, starts_at=created, expires_at=expires, created_at=created,
               **kw)
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def members(app):
    """Toronto; November 2026 starts at 04:00 UTC (EDT) and ends at 05:00 UTC (EST)."""
    studio = StudioFactory(slug="members")
    owner = staff(studio, Role.OWNER)
    monthly = PlanFactory(studio=studio, kind=PlanKind.MEMBERSHIP, credits=None)
    pack = PlanFactory(studio=studio, kind=PlanKind.CLASS_PACK)
    a, b, c, d, e = (UserFactory() for _ in range(5))
    _pass(studio, monthly, a, utc(2026, 9, 1), utc(2026, 11, 10))  # ended, renewed by:
    _pass(studio, monthly, a, utc(2026, 11, 9), utc(2026, 12, 9))  # new
    _pass(studio, monthly, b, utc(2026, 10, 1), utc(2026, 11, 15),  # ended, cancelled
          cancel_at_period_end=True)
    frozen = _pass(studio, monthly, c, utc(2026, 10, 15), utc(2027, 1, 15))
    db.session.add(PassFreeze(studio_id=studio.id, pass_id=frozen.id, days=8,
                              starts_on=utc(2026, 11, 5).date(), ends_on=utc(2026, 11, 12).date()))
    _pass(studio, monthly, d, utc(2026, 11, 20), utc(2026, 12, 20))  # new
    _pass(studio, monthly, e, utc(2026, 10, 1), utc(2026, 12, 1, 12),
          status=PassStatus.REVOKED)  # refunded: counts nowhere
    _pass(studio, pack, b, utc(2026, 11, 2), utc(2027, 2, 2))  # not a membership
    # Ends a minute before November starts in Toronto (03:59 UTC): not in the period.
    _pass(studio, monthly, e, utc(2026, 8, 1), utc(2026, 11, 1, 3, 59))
    db.session.flush()
    return {"studio": studio, "owner": owner}


def test_memberships_renewal_and_churn(client, members):
    login(client, members["owner"])
    rows = _csv(client.get("/manage/members/reports/memberships.csv", query_string=NOVEMBER))
    assert rows == [
        ["Figure", "Memberships", "Rate"],
        ["Active at the start", "3", ""],
        ["New", "2", ""],
        ["Frozen for some of the period", "1", ""],
        ["Ended", "2", ""],
        ["Cancelled (ended after a cancellation)", "1", ""],
        ["Renewed (of those ended)", "1", "50.0"],
        ["Churned (ended, not renewed)", "1", "33.3"],
        ["Active at the end", "3", ""]]
    html = client.get("/manage/members/reports", query_string=NOVEMBER).get_data(as_text=True)
    assert "Renewal rate: 50.0%. Churn: 33.3%." in html


@pytest.fixture
def cohorts(app):
    studio = StudioFactory(slug="cohorts")
    owner = staff(studio, Role.OWNER)
    yoga = ClassTypeFactory(studio=studio)
    x, y, z, w = (UserFactory() for _ in range(4))

    def visit(person, when, status=S.ATTENDED):
        _book(_class(studio, yoga, when, capacity=10), person, status)

    visit(w, utc(2024, 12, 10, 15))  # a December 2024 customer, back in January
    visit(w, utc(2025, 1, 12, 15))
    visit(x, utc(2025, 1, 10, 15))
    visit(x, utc(2025, 2, 5, 15), S.CONFIRMED)
    visit(x, utc(2025, 4, 2, 15), S.NO_SHOW)
    # 23:30 on 31 January in Toronto (04:30 UTC on 1 February): a January customer.
    visit(y, utc(2025, 2, 1, 4, 30))
    visit(y, utc(2025, 2, 20, 15), S.LATE_CANCELLED)
    visit(z, utc(2025, 2, 3, 15))
    visit(z, utc(2025, 3, 3, 15), S.CANCELLED)  # a cancelled booking is no visit
    visit(z, utc(2025, 3, 4, 15), S.WAITLISTED)  # nor a place on the waitlist
    return {"studio": studio, "owner": owner}


def test_monthly_cohorts(client, cohorts):
    login(client, cohorts["owner"])
    rows = _csv(client.get("/manage/cohorts/reports/cohorts.csv",
                           query_string={"start": "2025-01-01", "end": "2025-03-31"}))
    assert rows == [
        ["Month", "New customers", "Booking 1 month later", "Rate",
         "Booking 2 months later", "Rate", "Booking 3 months later", "Rate"],
        ["2025-01", "2", "2", "100.0", "0", "0.0", "1", "50.0"],
        ["2025-02", "1", "0", "0.0", "0", "0.0", "0", "0.0"],
        ["2025-03", "0", "0", "", "0", "", "0", ""]]


def test_certificates_issued_expiring_and_renewed(client, app):
    studio, manager, course, _classes = course_world()
    today = local_today(studio.timezone)
    people = [UserFactory() for _ in range(5)]

    def cert(holder, issued, expires, **kw):
        row = Certificate(studio_id=studio.id, course_id=course.id, holder_id=holder.id,
                          holder_name=holder.name, number=uuid.uuid4().hex[:10],
                          code=uuid.uuid4().hex[:16], issued_on=today + timedelta(days=issued),
                          expires_on=today + timedelta(days=expires), locale="en",
                          snapshot={}, **kw)
        db.session.add(row)
        db.session.flush()
        return row

    c1 = cert(people[0], -100, -10)  # expired in the period, renewed:
    cert(people[0], -5, 355, renewal=True, replaces_id=c1.id)
    cert(people[1], -20, 30)  # issued in the period, expiring soon
    cert(people[2], -400, -20)  # expired in the period, not renewed
    cert(people[3], -200, 10, revoked_at=utc(2026, 1, 1))  # revoked: expires nothing
    c5 = cert(people[4], -300, 40)  # expiring, but already renewed:
    cert(people[4], -2, 400, renewal=True, replaces_id=c5.id)
    login(client, manager)
    period = {"start": (today - timedelta(days=30)).isoformat(), "end": today.isoformat()}
    rows = _csv(client.get(f"/manage/{studio.slug}/reports/certificates.csv",
                           query_string=period))
    assert rows == [
        ["Course", "Issued", "Renewals", "Expired", "Renewal rate",
         "Expiring in the next 60 days"],
        ["First aid course", "3", "2", "2", "100.0", "1"]]
    html = client.get(f"/manage/{studio.slug}/reports", query_string=period)
    assert "1 expiring in the next 60 days" in html.get_data(as_text=True)
