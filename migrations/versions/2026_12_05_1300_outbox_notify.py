"""The outbox wakes the worker's relay: a NOTIFY with every commit that queues a job

Revision ID: 0014_outbox_notify
Revises: 0013_spots_taken
Create Date: 2026-12-05 13:00:00

Web requests no longer hand their jobs to Redis themselves: they write the outbox row, and this
trigger sends `NOTIFY fitflow_outbox` in the same transaction. PostgreSQL delivers it when (and
only if) the transaction commits, once per transaction however many rows it wrote; the worker's
relay loop LISTENs and relays at once (workers/relay.py). SQLite runs jobs inline: nothing here.
"""
from alembic import op

revision = "0014_outbox_notify"
down_revision = "0013_spots_taken"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""CREATE FUNCTION job_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('fitflow_outbox', '');
  RETURN NULL;
END $$""")
    op.execute("CREATE TRIGGER job_outbox_notify AFTER INSERT ON job_outbox"
               " FOR EACH STATEMENT EXECUTE FUNCTION job_outbox_notify()")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER job_outbox_notify ON job_outbox")
    op.execute("DROP FUNCTION job_outbox_notify()")
