"""Running the data-quality checks: a run replaces the studio's stored findings with what the
checks find now, so running twice leaves the same rows and a fixed problem is gone."""

import logging

from sqlalchemy import delete, select

from app.core.db import utcnow
from app.core.jobs import enqueue_after_commit
from app.extensions import db
from app.quality.checks import CHECKS, CheckUnavailable
from app.quality.models import QualityFinding, QualityRun
from app.studios.models import Studio

log = logging.getLogger(__name__)


def run_checks(studio: Studio) -> QualityRun:
    """Run every check for `studio` and store its findings (a check that cannot run keeps its
    previous findings and is listed as skipped)."""
    found, skipped = [], []
    for kind, check in CHECKS.items():
        try:
            found.append((kind, check(studio)))
        except CheckUnavailable as exc:
            log.warning("Data-quality check %s of studio %s not run: %s", kind, studio.id, exc)
            skipped.append(kind)
    run = db.session.get(QualityRun, studio.id, with_for_update=True)
    if run is None:
        run = QualityRun(studio_id=studio.id)
        db.session.add(run)
    run.ran_at, run.skipped = utcnow(), skipped
    for kind, findings in found:
        db.session.execute(delete(QualityFinding).where(
            QualityFinding.studio_id == studio.id, QualityFinding.check_name == kind))
        db.session.add_all(QualityFinding(studio_id=studio.id, check_name=kind, kind=f.kind,
                                          ids=f.ids, params=f.params, endpoint=f.endpoint,
                                          endpoint_args=f.endpoint_args)
                           for f in findings)
    db.session.flush()
    return run


def request_checks(studio: Studio, *, actor) -> None:
    """Someone asked for a run now: it goes to a job once this request commits."""
    log.info("Data-quality run of studio %s asked by user %s", studio.id, actor.id)
    enqueue_after_commit("workers.jobs.quality.check_studio", studio.id)


def studio_ids_to_check() -> list[int]:
    """Every studio that is not suspended (the nightly run)."""
    return list(db.session.scalars(select(Studio.id).where(Studio.suspended_at.is_(None))
                                   .order_by(Studio.id)))
