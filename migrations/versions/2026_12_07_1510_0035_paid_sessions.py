"""Paid 1:1 sessions

Revision ID: 0035_paid_sessions
Revises: 0034_print_runs
Create Date: 2026-12-07 14:50:00

A session type names the plans whose credits pay for it (plan_ids) and its own late-cancel
policy (a cutoff, else the studio's, and a fee). A credit entry can pay for an appointment;
an order can be a session's price (appointment_id) or its late-cancel fee (fee_appointment_id).
"""
import sqlalchemy as sa
from alembic import op

revision = "0035_paid_sessions"
down_revision = "0034_print_runs"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("session_types") as batch:
        batch.add_column(sa.Column("plan_ids", sa.JSON(), server_default="[]", nullable=False))
        batch.add_column(sa.Column("cancel_cutoff_minutes", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("late_cancel_fee_minor", sa.Integer(), server_default="0",
                                   nullable=False))
        batch.create_check_constraint(op.f("ck_session_types_late_fee"),
                                      "late_cancel_fee_minor >= 0")
        batch.create_check_constraint(op.f("ck_session_types_cutoff"),
                                      "cancel_cutoff_minutes IS NULL OR cancel_cutoff_minutes >= 0")
    with op.batch_alter_table("credit_entries") as batch:
        batch.add_column(sa.Column("appointment_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_credit_entries_appointment_id_appointments"),
                                 "appointments", ["appointment_id"], ["id"])
    op.create_index("uq_credit_entries_appointment_reason", "credit_entries",
                    ["appointment_id", "reason"], unique=True,
                    postgresql_where=sa.text("appointment_id IS NOT NULL"),
                    sqlite_where=sa.text("appointment_id IS NOT NULL"))
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("appointment_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("fee_appointment_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_orders_appointment_id_appointments"), "appointments",
                                 ["appointment_id"], ["id"])
        batch.create_foreign_key(op.f("fk_orders_fee_appointment_id_appointments"), "appointments",
                                 ["fee_appointment_id"], ["id"])
        batch.create_unique_constraint(op.f("uq_orders_appointment_id"), ["appointment_id"])
        batch.create_unique_constraint(op.f("uq_orders_fee_appointment_id"), ["fee_appointment_id"])


def downgrade():
    with op.batch_alter_table("orders") as batch:
        batch.drop_constraint(op.f("uq_orders_fee_appointment_id"), type_="unique")
        batch.drop_constraint(op.f("uq_orders_appointment_id"), type_="unique")
        batch.drop_constraint(op.f("fk_orders_fee_appointment_id_appointments"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_orders_appointment_id_appointments"), type_="foreignkey")
        batch.drop_column("fee_appointment_id")
        batch.drop_column("appointment_id")
    op.drop_index("uq_credit_entries_appointment_reason", table_name="credit_entries")
    with op.batch_alter_table("credit_entries") as batch:
        batch.drop_constraint(op.f("fk_credit_entries_appointment_id_appointments"),
                              type_="foreignkey")
        batch.drop_column("appointment_id")
    with op.batch_alter_table("session_types") as batch:
        batch.drop_constraint(op.f("ck_session_types_cutoff"), type_="check")
        batch.drop_constraint(op.f("ck_session_types_late_fee"), type_="check")
        batch.drop_column("late_cancel_fee_minor")
        batch.drop_column("cancel_cutoff_minutes")
        batch.drop_column("plan_ids")
