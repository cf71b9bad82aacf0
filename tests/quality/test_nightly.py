"""The nightly job: every studio's checks, idempotent, rescheduled for the next night."""

from datetime import UTC, datetime

from sqlalchemy import select

from app.extensions import db
from app.quality.models import QualityRun
from tests.quality.helpers import stored, troubled_studio
from workers.jobs import quality


def test_the_nightly_run_checks_every_studio_and_twice_changes_nothing(app):
    a, b = troubled_studio(), troubled_studio()
    quality.check_all_studios()
    first = {t.studio.id: sorted((f.check_name, f.ids) for f in stored(t.studio)) for t in (a, b)}
    assert all(len(v) == 5 for v in first.values())
    quality.check_all_studios()
    assert {t.studio.id: sorted((f.check_name, f.ids) for f in stored(t.studio))
            for t in (a, b)} == first
    runs = db.session.scalars(select(QualityRun.studio_id).where(
        QualityRun.studio_id.in_([a.studio.id, b.studio.id]))).all()
    assert sorted(runs) == sorted([a.studio.id, b.studio.id])


def test_a_suspended_studio_is_not_checked(app):
    from app.core.db import utcnow

    t = troubled_studio()
    t.studio.suspended_at = utcnow()
    db.session.flush()
    quality.check_all_studios()
    assert db.session.get(QualityRun, t.studio.id) is None


def test_the_next_night_is_the_next_half_past_one_utc():
    assert quality.next_night(datetime(2026, 12, 7, 0, 10, tzinfo=UTC)) == \
        datetime(2026, 12, 7, 1, 30, tzinfo=UTC)
    assert quality.next_night(datetime(2026, 12, 7, 1, 30, tzinfo=UTC)) == \
        datetime(2026, 12, 8, 1, 30, tzinfo=UTC)
