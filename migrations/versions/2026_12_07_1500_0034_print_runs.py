"""Print runs

Revision ID: 0034_print_runs
Revises: 0033_group_bookings
Create Date: 2026-12-07 15:00:00

print_runs: a studio's invoices and credit notes of a date range rendered into one PDF by a
job, with its progress (done of total), status, the file and when it expires.
"""
import sqlalchemy as sa
from alembic import op

revision = "0034_print_runs"
down_revision = "0033_group_bookings"
branch_labels = None
depends_on = None

STATUSES = ("queued", "running", "done", "cancelled", "failed")


def upgrade():
    op.create_table(
        "print_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("studio_id", sa.Integer(), nullable=False),
        sa.Column("date_from", sa.Date(), nullable=False),
        sa.Column("date_to", sa.Date(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), server_default="0", nullable=False),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("status", sa.Enum(*STATUSES, name="print_run_status", native_enum=False,
                                    length=20, create_constraint=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("done >= 0 AND done <= total", name=op.f("ck_print_runs_done_in_range")),
        sa.CheckConstraint("date_from <= date_to", name=op.f("ck_print_runs_dates_in_order")),
        sa.ForeignKeyConstraint(["studio_id"], ["studios.id"],
                                name=op.f("fk_print_runs_studio_id_studios")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_print_runs_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_runs")),
    )
    op.create_index(op.f("ix_print_runs_studio_id"), "print_runs", ["studio_id"])


def downgrade():
    op.drop_index(op.f("ix_print_runs_studio_id"), table_name="print_runs")
    op.drop_table("print_runs")
