"""How many unpaid pay-at-the-studio orders a customer may hold per plan kind

Revision ID: 0021_unpaid_orders_per_kind
Revises: 0020_invoice_language
Create Date: 2026-12-07 03:00:00

A customer could collect any number of passes to pay at the desk; each studio now caps the
unpaid ones per plan kind (1 by default, 0 for no cap).
"""
import sqlalchemy as sa
from alembic import op

revision = "0021_unpaid_orders_per_kind"
down_revision = "0020_invoice_language"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("studios") as batch:
        batch.add_column(sa.Column("unpaid_orders_per_kind", sa.Integer(), server_default="1",
                                   nullable=False))


def downgrade():
    with op.batch_alter_table("studios") as batch:
        batch.drop_column("unpaid_orders_per_kind")
