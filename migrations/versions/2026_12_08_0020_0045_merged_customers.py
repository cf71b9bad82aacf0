"""Accounts merged away, and bookings that follow them to the account kept

Revision ID: 0045_merged_customers
Revises: 0044_report_summaries
Create Date: 2026-12-08 00:00:00

merged_customers: per studio, an account merged into another (app/clients/services/merge.py)
and the account kept. A trigger on bookings (PostgreSQL) makes a booking for an account merged
away land on the account kept: it first waits for the customer's row (a merge holds both
accounts' rows FOR UPDATE to its commit), so a booking made while a merge runs sees the merge's
record once it may go on, in a fresh snapshot (READ COMMITTED: each statement of the function).
The partial unique index then answers a kept account already booked in that class.
"""
import sqlalchemy as sa
from alembic import op

revision = "0045_merged_customers"
down_revision = "0044_report_summaries"
branch_labels = None
depends_on = None

POSTGRESQL = [
    """CREATE FUNCTION bookings_follow_merge() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  kept integer;
BEGIN
  PERFORM 1 FROM users WHERE id = NEW.customer_id FOR KEY SHARE;
  SELECT kept_id INTO kept FROM merged_customers
   WHERE studio_id = NEW.studio_id AND user_id = NEW.customer_id;
  IF kept IS NOT NULL THEN
    NEW.customer_id := kept;
  END IF;
  RETURN NEW;
END $$""",
    """CREATE TRIGGER bookings_follow_merge BEFORE INSERT ON bookings
FOR EACH ROW EXECUTE FUNCTION bookings_follow_merge()""",
]


def upgrade():
    op.create_table(
        "merged_customers",
        sa.Column("studio_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kept_id", sa.Integer(), nullable=False),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["studio_id"], ["studios.id"],
                                name=op.f("fk_merged_customers_studio_id_studios")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_merged_customers_user_id_users")),
        sa.ForeignKeyConstraint(["kept_id"], ["users.id"],
                                name=op.f("fk_merged_customers_kept_id_users")),
        sa.PrimaryKeyConstraint("studio_id", "user_id", name=op.f("pk_merged_customers")),
    )
    op.create_index(op.f("ix_merged_customers_kept_id"), "merged_customers",
                    ["studio_id", "kept_id"])
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER bookings_follow_merge ON bookings")
        op.execute("DROP FUNCTION bookings_follow_merge()")
    op.drop_index(op.f("ix_merged_customers_kept_id"), table_name="merged_customers")
    op.drop_table("merged_customers")
