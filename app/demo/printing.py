"""A finished print run at the Riyadh studio: this month's invoices so far, bound into the
merged PDF and the ZIP, so /manage/riyadh/printing shows its downloads on first view."""

from sqlalchemy import select

from app.billing.models import PrintRun, PrintRunStatus
from app.billing.services.printing import print_documents, record_progress
from app.extensions import db
from app.schedule.queries import local_today


def seed_print_run(studio, admin) -> None:
    """Print this month's invoices once (the demo loaded again keeps the run it has)."""
    if db.session.scalar(select(PrintRun.id).where(PrintRun.studio_id == studio.id).limit(1)):
        return
    db.session.flush()  # the invoices issued by the demo so far are what gets printed
    today = local_today(studio.timezone)
    run = PrintRun(studio_id=studio.id, date_from=today.replace(day=1), date_to=today, total=1,
                   done=0, status=PrintRunStatus.QUEUED, created_by_id=admin.id)
    db.session.add(run)
    db.session.flush()
    run_id = run.id
    print_documents(run_id, step=lambda **values: record_progress(run_id, **values))
    db.session.expire(run)
    if run.status != PrintRunStatus.DONE:  # nothing issued this month: no run to show
        db.session.delete(run)
        db.session.flush()
