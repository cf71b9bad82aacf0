"""The checks over a studio's records: known problems give exactly the expected findings, fixed
problems are gone on the next run, and another studio's problems never show."""

from app.extensions import db
from app.quality.models import QualityRun
from app.quality.services import run_checks
from tests.quality.helpers import fix_all, stored, troubled_studio


def by_check(studio):
    found = {}
    for f in stored(studio):
        found.setdefault(f.check_name, []).append(f)
    return found


def test_each_known_problem_is_found_once_with_where_to_fix_it(app):
    t = troubled_studio()
    troubled_studio()  # another studio's problems
    run_checks(t.studio)

    found = by_check(t.studio)
    assert set(found) == {"duplicate_customer", "booking_in_cancelled_class", "negative_balance",
                          "invoice_gap", "certificate_expiring"}
    assert all(len(v) == 1 for v in found.values())
    twins = found["duplicate_customer"][0]
    assert twins.ids == sorted(p.id for p in t.twins)
    assert twins.endpoint == "clients_desk.duplicates"
    cancelled = found["booking_in_cancelled_class"][0]
    assert (cancelled.ids, cancelled.endpoint_args) == ([t.booking.id], {"class_id": t.cls.id})
    negative = found["negative_balance"][0]
    assert (negative.ids, negative.params["balance"]) == ([t.pass_.id], -2)
    assert negative.endpoint_args == {"customer_id": t.pass_.customer_id}
    gap = found["invoice_gap"][0]
    assert (gap.params["first"], gap.params["last"], gap.ids) == (2, 2, [t.invoices[1].id])
    expiring = found["certificate_expiring"][0]
    assert (expiring.ids, expiring.endpoint_args) == (
        [t.certificate.id], {"course_id": t.certificate.course_id})
    assert db.session.get(QualityRun, t.studio.id).skipped == []


def test_fixed_problems_are_gone_on_the_next_run_and_twice_changes_nothing(app):
    t = troubled_studio()
    run_checks(t.studio)
    assert len(stored(t.studio)) == 5
    fix_all(t)
    run_checks(t.studio)
    assert stored(t.studio) == []
    run_checks(t.studio)
    assert stored(t.studio) == []


def test_a_finding_still_there_is_stored_once_after_two_runs(app):
    t = troubled_studio()
    run_checks(t.studio)
    run_checks(t.studio)
    assert len(stored(t.studio)) == 5


def test_attended_bookings_and_revoked_or_far_certificates_are_not_findings(app):
    from datetime import timedelta

    from app.bookings.models import BookingStatus
    from app.core.db import utcnow
    from app.schedule.queries import local_today

    t = troubled_studio()
    t.booking.status = BookingStatus.ATTENDED
    t.certificate.revoked_at = utcnow()
    db.session.flush()
    run_checks(t.studio)
    kinds = {f.check_name for f in stored(t.studio)}
    assert "booking_in_cancelled_class" not in kinds
    assert "certificate_expiring" not in kinds
    t.certificate.revoked_at = None
    t.certificate.expires_on = local_today(t.studio.timezone) + timedelta(days=31)
    db.session.flush()
    run_checks(t.studio)
    assert "certificate_expiring" not in {f.check_name for f in stored(t.studio)}


def test_an_unlimited_membership_is_never_a_negative_balance(app):
    from app.memberships.models import CreditEntry, CreditReason

    t = troubled_studio()
    t.pass_.credits_total = None  # a membership: each booking is logged as -1, nothing bought
    db.session.add(CreditEntry(studio_id=t.studio.id, pass_id=t.pass_.id, delta=-1,
                               reason=CreditReason.BOOKING))
    db.session.flush()
    run_checks(t.studio)
    assert "negative_balance" not in {f.check_name for f in stored(t.studio)}
