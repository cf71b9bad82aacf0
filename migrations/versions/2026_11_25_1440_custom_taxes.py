"""A studio's own taxes on top of its jurisdiction's

Revision ID: 0005_custom_taxes
Revises: 0004_fees
Create Date: 2026-11-25 13:48:33.655993

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0005_custom_taxes"
down_revision = "0004_fees"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('studios', schema=None) as batch_op:
        batch_op.add_column(sa.Column('custom_taxes', sa.JSON(), nullable=False, server_default='[]'))



def downgrade():
    with op.batch_alter_table('studios', schema=None) as batch_op:
        batch_op.drop_column('custom_taxes')

