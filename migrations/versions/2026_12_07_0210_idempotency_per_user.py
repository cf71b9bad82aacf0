"""Idempotency keys belong to one user

Revision ID: 0018_idempotency_per_user
Revises: 0017_stripe_event_ids_per_studio
Create Date: 2026-12-07 02:10:00

A key is made by one client: an order's key is unique per customer, a tablet's tap key per user.
A key that another person sent first must neither fail their request nor stand for it.
"""
from alembic import op

revision = "0018_idempotency_per_user"
down_revision = "0017_stripe_event_ids_per_studio"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("orders") as batch:
        batch.drop_constraint("uq_orders_idempotency_key", type_="unique")
        batch.create_unique_constraint("uq_orders_customer_id_idempotency_key",
                                       ["customer_id", "idempotency_key"])
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.drop_constraint("pk_idempotency_keys", type_="primary")
        batch.create_primary_key("pk_idempotency_keys", ["user_id", "key"])
        batch.drop_index("ix_idempotency_keys_user_id")  # the key's first column serves it


def downgrade():
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.create_index("ix_idempotency_keys_user_id", ["user_id"])
        batch.drop_constraint("pk_idempotency_keys", type_="primary")
        batch.create_primary_key("pk_idempotency_keys", ["key"])
    with op.batch_alter_table("orders") as batch:
        batch.drop_constraint("uq_orders_customer_id_idempotency_key", type_="unique")
        batch.create_unique_constraint("uq_orders_idempotency_key", ["idempotency_key"])
