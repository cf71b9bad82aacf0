"""A one-off event's own ticket; coaches' own hours

Revision ID: 0042_event_plans
Revises: 0041_known_devices
Create Date: 2026-12-07 18:40:00

plans.event_class_id: the class a plan is the ticket of (a priced one-off event); such a plan
is offered and pays for that class only.
studios.coaches_set_own_hours: whether coaches edit their own weekly hours and time off.
"""
import sqlalchemy as sa
from alembic import op

revision = "0042_event_plans"
down_revision = "0041_known_devices"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("studios", sa.Column("coaches_set_own_hours", sa.Boolean(), nullable=False,
                                       server_default=sa.false()))
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("event_class_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_plans_event_class_id"), ["event_class_id"])
        batch.create_foreign_key(batch.f("fk_plans_event_class_id_classes"), "classes",
                                 ["event_class_id"], ["id"])


def downgrade():
    with op.batch_alter_table("plans") as batch:
        batch.drop_constraint(batch.f("fk_plans_event_class_id_classes"), type_="foreignkey")
        batch.drop_index(batch.f("ix_plans_event_class_id"))
        batch.drop_column("event_class_id")
    op.drop_column("studios", "coaches_set_own_hours")
