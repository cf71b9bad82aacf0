from datetime import timedelta

from app.core.queues import get_queue
from app.schedule.services import extend_open_series
from workers.jobs import job

EVERY = timedelta(hours=6)
JOB_ID = "extend-series"


@job
def extend_series() -> int:
    """Make the classes of every series without an end up to the configured weeks ahead."""
    return extend_open_series()


def schedule_extension() -> None:
    """Run the extension again in a few hours (one scheduled job, whoever starts it)."""
    get_queue("default").enqueue_in(EVERY, "workers.jobs.schedule.run_and_reschedule",
                                    job_id=JOB_ID)


def run_and_reschedule() -> int:
    try:
        return extend_series()
    finally:
        schedule_extension()
