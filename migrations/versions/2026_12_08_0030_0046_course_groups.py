"""A group booked on a whole course: one order for the group's places in every session

Revision ID: 0046_course_groups
Revises: 0045_merged_customers
Create Date: 2026-12-08 00:10:00

group_bookings.course_id: the course a group booked whole (its places in each session are one
group_bookings row per class, all paid by one order); group_bookings.order_id is no longer
unique for that reason (indexed instead).
"""
import sqlalchemy as sa
from alembic import op

revision = "0046_course_groups"
down_revision = "0045_merged_customers"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("group_bookings") as batch:
        batch.drop_constraint(batch.f("uq_group_bookings_order_id"), type_="unique")
        batch.create_index(batch.f("ix_group_bookings_order_id"), ["order_id"])
        batch.add_column(sa.Column("course_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f("fk_group_bookings_course_id_courses"), "courses",
                                 ["course_id"], ["id"])


def downgrade():
    with op.batch_alter_table("group_bookings") as batch:
        batch.drop_constraint(batch.f("fk_group_bookings_course_id_courses"), type_="foreignkey")
        batch.drop_column("course_id")
        batch.drop_index(batch.f("ix_group_bookings_order_id"))
        batch.create_unique_constraint(batch.f("uq_group_bookings_order_id"), ["order_id"])
