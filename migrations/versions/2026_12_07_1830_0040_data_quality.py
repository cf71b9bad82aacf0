"""Data quality

Revision ID: 0040_data_quality
Revises: 0039_print
Create Date: 2026-12-07 18:30:00

quality_runs: when each studio's data-quality checks last ran (and which could not run);
quality_findings: that run's findings, replaced by the next run.
"""
import sqlalchemy as sa
from alembic import op

revision = "0040_data_quality"
down_revision = "0039_print"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "quality_runs",
        sa.Column("studio_id", sa.Integer(), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["studio_id"], ["studios.id"],
                                name=op.f("fk_quality_runs_studio_id_studios")),
        sa.PrimaryKeyConstraint("studio_id", name=op.f("pk_quality_runs")),
    )
    op.create_table(
        "quality_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("studio_id", sa.Integer(), nullable=False),
        sa.Column("check_name", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("ids", sa.JSON(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("endpoint", sa.String(length=80), nullable=False),
        sa.Column("endpoint_args", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["studio_id"], ["studios.id"],
                                name=op.f("fk_quality_findings_studio_id_studios")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_findings")),
    )
    op.create_index(op.f("ix_quality_findings_studio_id"), "quality_findings", ["studio_id"])


def downgrade():
    op.drop_index(op.f("ix_quality_findings_studio_id"), table_name="quality_findings")
    op.drop_table("quality_findings")
    op.drop_table("quality_runs")
