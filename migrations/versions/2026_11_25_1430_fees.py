"""Late-cancel and no-show fees: per-studio amounts, fee orders without a plan

Revision ID: 0004_fees
Revises: 0003_stripe
Create Date: 2026-11-25 13:44:15.377855

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0004_fees"
down_revision = "0003_stripe"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fee_booking_id', sa.Integer(), nullable=True))
        batch_op.alter_column('plan_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_orders_fee_booking_id'), ['fee_booking_id'])
        batch_op.create_foreign_key(batch_op.f('fk_orders_fee_booking_id_bookings'), 'bookings', ['fee_booking_id'], ['id'])

    with op.batch_alter_table('studios', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late_cancel_fee_minor', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('no_show_fee_minor', sa.Integer(), nullable=False, server_default='0'))



def downgrade():
    with op.batch_alter_table('studios', schema=None) as batch_op:
        batch_op.drop_column('no_show_fee_minor')
        batch_op.drop_column('late_cancel_fee_minor')

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_orders_fee_booking_id_bookings'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_orders_fee_booking_id'), type_='unique')
        batch_op.alter_column('plan_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('fee_booking_id')

