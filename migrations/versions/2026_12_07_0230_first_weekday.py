"""The day a studio's week starts on

Revision ID: 0019_first_weekday
Revises: 0018_idempotency_per_user
Create Date: 2026-12-07 02:30:00

Weekly pass limits and weekly charts counted Monday-to-Sunday everywhere; a Saudi studio's
week starts on Sunday. Studios in Saudi Arabia (their default location's tax jurisdiction)
start on Sunday, the others on Monday.
"""
import sqlalchemy as sa
from alembic import op

revision = "0019_first_weekday"
down_revision = "0018_idempotency_per_user"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("studios") as batch:
        batch.add_column(sa.Column("first_weekday", sa.Integer(), server_default="1",
                                   nullable=False))
    op.execute("""UPDATE studios SET first_weekday = 7 WHERE default_location_id IN
                  (SELECT id FROM locations WHERE tax_jurisdiction = 'SA')""")


def downgrade():
    with op.batch_alter_table("studios") as batch:
        batch.drop_column("first_weekday")
