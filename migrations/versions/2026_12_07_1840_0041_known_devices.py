"""Devices people signed in from, to tell them of a sign-in from a new one

Revision ID: 0041_known_devices
Revises: 0040_data_quality
Create Date: 2026-12-07 18:40:00

known_devices: one row per person, device label and network, with the last sign-in from it
(app/accounts/services/devices.py). Filled from the sessions alive now, so that nobody signed in
today is told of their own devices at their next sign-in.
"""
import sqlalchemy as sa
from alembic import op

revision = "0041_known_devices"
down_revision = "0040_data_quality"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "known_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("device", sa.String(length=80), nullable=False),
        sa.Column("place", sa.String(length=50), nullable=False),
        sa.Column("last_signed_in_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_known_devices_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_known_devices")),
        sa.UniqueConstraint("user_id", "device", "place",
                            name=op.f("uq_known_devices_user_id_device_place")),
    )
    op.execute("""
        INSERT INTO known_devices (user_id, device, place, last_signed_in_at, created_at)
        SELECT user_id, device, place, max(created_at), min(created_at)
        FROM auth_sessions GROUP BY user_id, device, place
    """)


def downgrade():
    op.drop_table("known_devices")
