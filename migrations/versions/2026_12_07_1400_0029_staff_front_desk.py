"""Staff roles gain the front desk

Revision ID: 0029_staff_front_desk
Revises: 0028_customer_records
Create Date: 2026-12-07 14:00:00

The staff_role CHECK constraint of staff_roles and staff_invitations accepts "front_desk":
customers, bookings, check-in and desk payments, no settings or refunds.
"""
import sqlalchemy as sa
from alembic import op

revision = "0029_staff_front_desk"
down_revision = "0028_customer_records"
branch_labels = None
depends_on = None

BEFORE = ("owner", "studio_admin", "trainer_admin", "trainer")
AFTER = BEFORE + ("front_desk",)


def _role(values):
    return sa.Enum(*values, name="staff_role", native_enum=False, create_constraint=True,
                   length=20)


def upgrade():
    for table in ("staff_roles", "staff_invitations"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column("role", existing_type=_role(BEFORE), type_=_role(AFTER),
                               existing_nullable=False)


def downgrade():
    op.execute("DELETE FROM staff_invitations WHERE role = 'front_desk'")
    op.execute("DELETE FROM staff_roles WHERE role = 'front_desk'")
    for table in ("staff_roles", "staff_invitations"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column("role", existing_type=_role(AFTER), type_=_role(BEFORE),
                               existing_nullable=False)
