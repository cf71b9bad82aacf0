"""Stripe event ids are unique per studio

Revision ID: 0017_stripe_event_ids_per_studio
Revises: 0016_default_location
Create Date: 2026-12-07 02:00:00

Each studio has its own Stripe account, and event ids are only unique inside one account: a
studio must not be able to take an id first and make another studio's real event a duplicate.
"""
from alembic import op

revision = "0017_stripe_event_ids_per_studio"
down_revision = "0016_default_location"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("stripe_events") as batch:
        batch.drop_constraint("uq_stripe_events_event_id", type_="unique")
        batch.create_unique_constraint("uq_stripe_events_studio_id_event_id",
                                       ["studio_id", "event_id"])


def downgrade():
    with op.batch_alter_table("stripe_events") as batch:
        batch.drop_constraint("uq_stripe_events_studio_id_event_id", type_="unique")
        batch.create_unique_constraint("uq_stripe_events_event_id", ["event_id"])
