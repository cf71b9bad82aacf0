"""Studios set themselves up: profile, logo, suspension, locations' numbers and archive,
rooms' archive, staff invitations, the location an order is sold at

Revision ID: 0023_studio_setup
Revises: 0022_exercise_measures
Create Date: 2026-12-07 04:00:00

A studio can now be started, described and suspended; locations and rooms are archived rather
than deleted (classes and orders point at them); an order remembers the location it was sold
at, whose jurisdiction set its taxes. Existing orders keep NULL: they were sold by the default
location, which documents fall back to.
"""
import sqlalchemy as sa
from alembic import op

revision = "0023_studio_setup"
down_revision = "0022_exercise_measures"
branch_labels = None
depends_on = None


def _ts(name):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=True)


def upgrade():
    with op.batch_alter_table("studios") as batch:
        for name, length in (("contact_email", 254), ("contact_phone", 32), ("website", 255),
                             ("logo_type", 32), ("logo_version", 16)):
            batch.add_column(sa.Column(name, sa.String(length), server_default="",
                                       nullable=False))
        for name in ("about", "terms", "privacy"):
            batch.add_column(sa.Column(name, sa.JSON(), server_default="{}", nullable=False))
        batch.add_column(sa.Column("logo", sa.LargeBinary(), nullable=True))
        batch.add_column(_ts("suspended_at"))
    with op.batch_alter_table("locations") as batch:
        batch.add_column(sa.Column("tax_numbers", sa.JSON(), server_default="[]",
                                   nullable=False))
        batch.add_column(_ts("archived_at"))
    with op.batch_alter_table("rooms") as batch:
        batch.add_column(_ts("archived_at"))
        batch.create_check_constraint(op.f("ck_rooms_room_capacity"), "capacity > 0")
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("location_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_orders_location_id_locations"), "locations",
                                 ["location_id"], ["id"])
    op.create_table(
        "staff_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("studio_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("role", sa.Enum("owner", "studio_admin", "trainer_admin", "trainer",
                                  name="staff_role", native_enum=False, create_constraint=True,
                                  length=20), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        _ts("accepted_at"),
        sa.Column("accepted_by_id", sa.Integer(), nullable=True),
        _ts("cancelled_at"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_invitations")),
        sa.ForeignKeyConstraint(["studio_id"], ["studios.id"],
                                name=op.f("fk_staff_invitations_studio_id_studios")),
        sa.ForeignKeyConstraint(["invited_by_id"], ["users.id"],
                                name=op.f("fk_staff_invitations_invited_by_id_users")),
        sa.ForeignKeyConstraint(["accepted_by_id"], ["users.id"],
                                name=op.f("fk_staff_invitations_accepted_by_id_users")),
    )
    op.create_index(op.f("ix_staff_invitations_studio_id"), "staff_invitations", ["studio_id"])


def downgrade():
    op.drop_index(op.f("ix_staff_invitations_studio_id"), "staff_invitations")
    op.drop_table("staff_invitations")
    with op.batch_alter_table("orders") as batch:
        batch.drop_constraint(op.f("fk_orders_location_id_locations"), type_="foreignkey")
        batch.drop_column("location_id")
    with op.batch_alter_table("rooms") as batch:
        batch.drop_constraint(op.f("ck_rooms_room_capacity"), type_="check")
        batch.drop_column("archived_at")
    with op.batch_alter_table("locations") as batch:
        batch.drop_column("archived_at")
        batch.drop_column("tax_numbers")
    with op.batch_alter_table("studios") as batch:
        for name in ("contact_email", "contact_phone", "website", "logo_type", "logo_version",
                     "about", "terms", "privacy", "logo", "suspended_at"):
            batch.drop_column(name)
