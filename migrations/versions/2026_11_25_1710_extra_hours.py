"""Extra hours on one day: an availability window may apply to a single date

Revision ID: 0012_extra_hours
Revises: 0011_sealed_keys
Create Date: 2026-11-25 17:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012_extra_hours"
down_revision = "0011_sealed_keys"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("availabilities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("on_date", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("availabilities", schema=None) as batch_op:
        batch_op.drop_column("on_date")
