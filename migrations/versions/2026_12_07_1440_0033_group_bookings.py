"""Group and company bookings

Revision ID: 0033_group_bookings
Revises: 0032_calendars
Create Date: 2026-12-07 14:20:00

A studio's record of a customer may name a company and its billing details (a company or group
contact). group_bookings: places in one class booked at once for such a contact, paid by one
order; group_places: each participant's own booking in it.
"""
import sqlalchemy as sa
from alembic import op

revision = "0033_group_bookings"
down_revision = "0032_calendars"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("studio_customers") as batch:
        batch.add_column(sa.Column("company_name", sa.String(160), server_default="",
                                   nullable=False))
        batch.add_column(sa.Column("billing_details", sa.String(500), server_default="",
                                   nullable=False))
    op.create_table(
        "group_bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("studio_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("places > 0", name=op.f("ck_group_bookings_places")),
        sa.ForeignKeyConstraint(["studio_id"], ["studios.id"],
                                name=op.f("fk_group_bookings_studio_id_studios")),
        sa.ForeignKeyConstraint(["class_id"], ["classes.id"],
                                name=op.f("fk_group_bookings_class_id_classes")),
        sa.ForeignKeyConstraint(["contact_id"], ["users.id"],
                                name=op.f("fk_group_bookings_contact_id_users")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"],
                                name=op.f("fk_group_bookings_order_id_orders")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_group_bookings_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_bookings")),
        sa.UniqueConstraint("order_id", name=op.f("uq_group_bookings_order_id")),
    )
    for name in ("studio_id", "class_id", "contact_id"):
        op.create_index(op.f(f"ix_group_bookings_{name}"), "group_bookings", [name])
    op.create_table(
        "group_places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("refunded_minor", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["group_bookings.id"],
                                name=op.f("fk_group_places_group_id_group_bookings")),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.id"],
                                name=op.f("fk_group_places_booking_id_bookings")),
        sa.ForeignKeyConstraint(["customer_id"], ["users.id"],
                                name=op.f("fk_group_places_customer_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_places")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_group_places_booking_id")),
    )
    op.create_index(op.f("ix_group_places_group_id"), "group_places", ["group_id"])


def downgrade():
    op.drop_index(op.f("ix_group_places_group_id"), table_name="group_places")
    op.drop_table("group_places")
    for name in ("contact_id", "class_id", "studio_id"):
        op.drop_index(op.f(f"ix_group_bookings_{name}"), table_name="group_bookings")
    op.drop_table("group_bookings")
    with op.batch_alter_table("studio_customers") as batch:
        batch.drop_column("billing_details")
        batch.drop_column("company_name")
