from datetime import timedelta

from app.billing.services.renewals import renew_due_memberships
from app.core.queues import get_queue
from workers.jobs import job

EVERY = timedelta(hours=1)
JOB_ID = "renew-memberships"


@job
def renew_memberships() -> int:
    """Renew the pay-at-the-studio memberships that are due (hourly, by the scheduler)."""
    return len(renew_due_memberships())


def schedule_renewals() -> None:
    """Run the renewals now and then every hour (one scheduled job, whoever starts it)."""
    get_queue("default").enqueue_in(EVERY, "workers.jobs.memberships.run_and_reschedule",
                                    job_id=JOB_ID)


def run_and_reschedule() -> int:
    try:
        return renew_memberships()
    finally:
        schedule_renewals()
