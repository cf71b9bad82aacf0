"""An account deleted by its owner

Revision ID: 0043_account_deletion
Revises: 0042_event_plans
Create Date: 2026-12-08 00:00:00

users.deleted_at: when the person deleted their account. The row stays (orders, invoices,
payments and the audit log point at it), emptied of everything personal.
"""
import sqlalchemy as sa
from alembic import op

revision = "0043_account_deletion"
down_revision = "0042_event_plans"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column("users", "deleted_at")
