"""The job outbox: jobs written in the transaction that wants them, relayed to RQ after commit

Revision ID: 0009_job_outbox
Revises: 0008_exercises
Create Date: 2026-11-25 16:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_job_outbox"
down_revision = "0008_exercises"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "job_outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("func", sa.String(length=200), nullable=False),
        sa.Column("args", sa.JSON(), server_default="[]", nullable=False),
        sa.Column("queue", sa.String(length=40), server_default="default", nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_outbox")),
    )
    with op.batch_alter_table("job_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_job_outbox_pending", ["id"], unique=False,
                              postgresql_where=sa.text("sent_at IS NULL"),
                              sqlite_where=sa.text("sent_at IS NULL"))


def downgrade():
    with op.batch_alter_table("job_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_job_outbox_pending", postgresql_where=sa.text("sent_at IS NULL"),
                            sqlite_where=sa.text("sent_at IS NULL"))
    op.drop_table("job_outbox")
