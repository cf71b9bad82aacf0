"""Stripe events not applied yet, found by an index

Revision ID: 0015_stripe_events_unapplied
Revises: 0014_outbox_notify
Create Date: 2026-12-05 13:10:00

The webhook stores an event and a worker applies it; the worker's chores look every ten
minutes for events still not applied (their job failed for good, or was lost) and queue them
again. The partial index holds only those rows, so the look stays cheap as the table grows.
"""
import sqlalchemy as sa
from alembic import op

revision = "0015_stripe_events_unapplied"
down_revision = "0014_outbox_notify"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_stripe_events_unapplied", "stripe_events", ["received_at"],
                    postgresql_where=sa.text("processed_at IS NULL"),
                    sqlite_where=sa.text("processed_at IS NULL"))


def downgrade():
    op.drop_index("ix_stripe_events_unapplied", table_name="stripe_events")
