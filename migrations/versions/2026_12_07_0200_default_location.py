"""A studio's default location, named explicitly

Revision ID: 0016_default_location
Revises: 0015_stripe_events_unapplied
Create Date: 2026-12-07 02:00:00

The location that speaks for the studio as a whole (its currency, time zone and tax
jurisdiction on the settings pages, plans and fees) is a column of the studio rather than
whichever location has the lowest id. Existing studios get exactly that one, so nothing they
show changes. The column stays nullable: studios and locations point at each other, and a new
studio's row exists before its first location.
"""
import sqlalchemy as sa
from alembic import op

revision = "0016_default_location"
down_revision = "0015_stripe_events_unapplied"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("studios") as batch_op:
        batch_op.add_column(sa.Column("default_location_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_studios_default_location_id_locations", "locations",
                                    ["default_location_id"], ["id"])
    op.execute("UPDATE studios SET default_location_id ="
               " (SELECT min(l.id) FROM locations l WHERE l.studio_id = studios.id)")


def downgrade():
    with op.batch_alter_table("studios") as batch_op:
        batch_op.drop_constraint("fk_studios_default_location_id_locations", type_="foreignkey")
        batch_op.drop_column("default_location_id")
