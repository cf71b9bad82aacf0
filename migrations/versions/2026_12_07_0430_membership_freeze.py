"""Membership freeze: what a plan allows, the freezes of a pass

Revision ID: 0025_membership_freeze
Revises: 0024_timetable
Create Date: 2026-12-07 04:10:00

A plan says whether its memberships may be paused (for how many days, how often a year, for
what fee). A freeze is a range of local days; the pass keeps its current or coming freeze as
two UTC instants so paying for a booking reads nothing else.
"""
import sqlalchemy as sa
from alembic import op

revision = "0025_membership_freeze"
down_revision = "0024_timetable"
branch_labels = None
depends_on = None


def upgrade():
    for name, default in (("freeze_min_days", "7"), ("freeze_max_days", "30"),
                          ("freezes_per_year", "1"), ("freeze_fee_minor", "0")):
        op.add_column("plans", sa.Column(name, sa.Integer(), nullable=False,
                                         server_default=default))
    op.add_column("plans", sa.Column("freeze_allowed", sa.Boolean(), nullable=False,
                                     server_default=sa.false()))
    op.add_column("passes", sa.Column("frozen_from", sa.DateTime(timezone=True)))
    op.add_column("passes", sa.Column("frozen_until", sa.DateTime(timezone=True)))
    op.create_table(
        "pass_freezes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("studio_id", sa.Integer(), nullable=False),
        sa.Column("pass_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("fee_order_id", sa.Integer(), nullable=True),
        sa.Column("paused_at_stripe", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_pass_freezes_dates")),
        sa.ForeignKeyConstraint(["studio_id"], ["studios.id"],
                                name=op.f("fk_pass_freezes_studio_id_studios")),
        sa.ForeignKeyConstraint(["pass_id"], ["passes.id"],
                                name=op.f("fk_pass_freezes_pass_id_passes")),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"],
                                name=op.f("fk_pass_freezes_actor_id_users")),
        sa.ForeignKeyConstraint(["fee_order_id"], ["orders.id"],
                                name=op.f("fk_pass_freezes_fee_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pass_freezes")),
    )
    op.create_index(op.f("ix_pass_freezes_pass_id"), "pass_freezes", ["pass_id"])


def downgrade():
    op.drop_index(op.f("ix_pass_freezes_pass_id"), table_name="pass_freezes")
    op.drop_table("pass_freezes")
    op.drop_column("passes", "frozen_until")
    op.drop_column("passes", "frozen_from")
    for name in ("freeze_allowed", "freeze_fee_minor", "freezes_per_year", "freeze_max_days",
                 "freeze_min_days"):
        op.drop_column("plans", name)
