"""Policies per class type

Revision ID: 0036_class_type_policies
Revises: 0035_paid_sessions
Create Date: 2026-12-07 17:20:00

A class type may override the studio's booking window, cancel cutoff, late-cancel and no-show
fees, waitlist mode and offer hold (each nullable: None takes the studio's). New rules, with a
studio default and a class type override: a waitlist cutoff, forgiveness of the first late
cancels in 30 days, auto-waive of a late cancel whose spot the waitlist fills, and a cap on
upcoming bookings. A booking records when and why a policy gave its late cancel's cost back.
"""
import sqlalchemy as sa
from alembic import op

revision = "0036_class_type_policies"
down_revision = "0035_paid_sessions"
branch_labels = None
depends_on = None

_TYPE_CHECKS = (
    ("booking_opens_days", ">=", "opens"), ("booking_closes_minutes", ">=", "closes"),
    ("cancel_cutoff_minutes", ">=", "cutoff"), ("late_cancel_fee_minor", ">=", "late_fee"),
    ("no_show_fee_minor", ">=", "no_show_fee"), ("offer_hold_minutes", ">", "hold"),
    ("waitlist_cutoff_minutes", ">=", "waitlist_cutoff"),
    ("free_late_cancels", ">=", "forgiven"), ("max_upcoming_bookings", ">", "cap"))


def upgrade():
    with op.batch_alter_table("class_types") as batch:
        for name, _op, _short in _TYPE_CHECKS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=True))
        batch.add_column(sa.Column(
            "waitlist_mode", sa.Enum("auto", "claim", name="class_type_waitlist_mode",
                                     native_enum=False, create_constraint=False, length=20),
            nullable=True))
        batch.create_check_constraint(op.f("ck_class_types_class_type_waitlist_mode"),
                                      "waitlist_mode IN ('auto', 'claim')")
        batch.add_column(sa.Column("auto_waive_late_cancel", sa.Boolean(), nullable=True))
        for name, op_, short in _TYPE_CHECKS:
            batch.create_check_constraint(op.f(f"ck_class_types_policy_{short}"),
                                          f"{name} IS NULL OR {name} {op_} 0")
    with op.batch_alter_table("studios") as batch:
        batch.add_column(sa.Column("waitlist_cutoff_minutes", sa.Integer(), server_default="0",
                                   nullable=False))
        batch.add_column(sa.Column("free_late_cancels", sa.Integer(), server_default="0",
                                   nullable=False))
        batch.add_column(sa.Column("auto_waive_late_cancel", sa.Boolean(),
                                   server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("max_upcoming_bookings", sa.Integer(), nullable=True))
        batch.create_check_constraint(op.f("ck_studios_waitlist_cutoff"),
                                      "waitlist_cutoff_minutes >= 0")
        batch.create_check_constraint(op.f("ck_studios_forgiven"), "free_late_cancels >= 0")
        batch.create_check_constraint(op.f("ck_studios_cap"),
                                      "max_upcoming_bookings IS NULL OR max_upcoming_bookings > 0")
    # Plain ALTERs, not a batch: SQLite's batch copy of the table would drop its triggers.
    op.add_column("bookings", sa.Column("late_waived_at", sa.DateTime(timezone=True),
                                        nullable=True))
    op.add_column("bookings", sa.Column("late_waiver", sa.String(length=20), nullable=True))


def downgrade():
    op.execute("ALTER TABLE bookings DROP COLUMN late_waiver")
    op.execute("ALTER TABLE bookings DROP COLUMN late_waived_at")
    with op.batch_alter_table("studios") as batch:
        batch.drop_constraint(op.f("ck_studios_cap"), type_="check")
        batch.drop_constraint(op.f("ck_studios_forgiven"), type_="check")
        batch.drop_constraint(op.f("ck_studios_waitlist_cutoff"), type_="check")
        batch.drop_column("max_upcoming_bookings")
        batch.drop_column("auto_waive_late_cancel")
        batch.drop_column("free_late_cancels")
        batch.drop_column("waitlist_cutoff_minutes")
    with op.batch_alter_table("class_types") as batch:
        for _name, _op, short in _TYPE_CHECKS:
            batch.drop_constraint(op.f(f"ck_class_types_policy_{short}"), type_="check")
        batch.drop_constraint(op.f("ck_class_types_class_type_waitlist_mode"), type_="check")
        batch.drop_column("auto_waive_late_cancel")
        batch.drop_column("waitlist_mode")
        for name, _op, _short in reversed(_TYPE_CHECKS):
            batch.drop_column(name)
