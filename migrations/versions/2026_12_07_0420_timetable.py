"""The timetable kept up: series without an end, notice for changes, plans an event accepts

Revision ID: 0024_timetable
Revises: 0023_studio_setup
Create Date: 2026-12-07 04:00:00

A series may have no last day: `generated_until` says how far its classes are made (a scheduled
job keeps them a number of weeks ahead). A class type may require notice before a class's
time or place changes. A class (an event) may accept only some plans.
"""
import sqlalchemy as sa
from alembic import op

revision = "0024_timetable"
down_revision = "0023_studio_setup"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("series") as batch:
        batch.add_column(sa.Column("generated_until", sa.Date(), nullable=True))
        batch.alter_column("ends_on", existing_type=sa.Date(), nullable=True)
        batch.drop_constraint(op.f("ck_series_dates"), type_="check")
        batch.create_check_constraint(op.f("ck_series_dates"),
                                      "ends_on IS NULL OR ends_on >= starts_on")
    op.execute("UPDATE series SET generated_until = ends_on")
    with op.batch_alter_table("series") as batch:
        batch.alter_column("generated_until", existing_type=sa.Date(), nullable=False)
        batch.create_check_constraint(op.f("ck_series_generated"),
                                      "generated_until >= starts_on - 1")
    op.add_column("class_types", sa.Column("change_notice_hours", sa.Integer(), nullable=False,
                                           server_default="0"))
    op.add_column("classes", sa.Column("plan_ids", sa.JSON(), nullable=False,
                                       server_default="[]"))


def downgrade():
    op.drop_column("classes", "plan_ids")
    op.drop_column("class_types", "change_notice_hours")
    op.execute("UPDATE series SET ends_on = generated_until WHERE ends_on IS NULL")
    with op.batch_alter_table("series") as batch:
        batch.drop_constraint(op.f("ck_series_generated"), type_="check")
        batch.drop_constraint(op.f("ck_series_dates"), type_="check")
        batch.create_check_constraint(op.f("ck_series_dates"), "ends_on >= starts_on")
        batch.alter_column("ends_on", existing_type=sa.Date(), nullable=False)
        batch.drop_column("generated_until")
