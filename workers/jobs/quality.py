"""Data quality: one studio's checks on request, and every studio's each night."""

from datetime import datetime, time, timedelta

from app.core.db import utcnow
from app.core.queues import get_queue
from app.extensions import db
from app.quality.queries import count_findings
from app.quality.services import run_checks, studio_ids_to_check
from app.studios.models import Studio
from workers.jobs import job

JOB_ID = "quality-nightly"
NIGHTLY_AT = time(1, 30)  # UTC: after midnight in the Gulf, evening in the Americas


@job
def check_studio(studio_id: int) -> int:
    """Run a studio's checks; returns how many findings it stored."""
    studio = db.session.get(Studio, studio_id)
    if studio is None:
        return 0
    run_checks(studio)
    return count_findings(studio_id)


def check_all_studios() -> int:
    """Every studio's checks, each in its own transaction (one failing studio stops none)."""
    return sum(check_studio(studio_id) for studio_id in studio_ids_to_check())


def next_night(now: datetime) -> datetime:
    """The next NIGHTLY_AT (UTC) after `now`."""
    at = datetime.combine(now.date(), NIGHTLY_AT, tzinfo=now.tzinfo)
    return at if at > now else at + timedelta(days=1)


def schedule_nightly() -> None:
    """The next nightly run (one scheduled job under a fixed id, whoever starts the worker)."""
    get_queue("default").enqueue_at(next_night(utcnow()), "workers.jobs.quality.run_and_reschedule",
                                    job_id=JOB_ID)


def run_and_reschedule() -> int:
    try:
        return check_all_studios()
    finally:
        schedule_nightly()
