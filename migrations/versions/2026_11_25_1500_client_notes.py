"""Private notes by a studio's staff about its customers

Revision ID: 0006_client_notes
Revises: 0005_custom_taxes
Create Date: 2026-11-25 15:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006_client_notes"
down_revision = "0005_custom_taxes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "client_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("studio_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(body) <= 4000", name=op.f("ck_client_notes_body_length")),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"],
                                name=op.f("fk_client_notes_author_id_users")),
        sa.ForeignKeyConstraint(["customer_id"], ["users.id"],
                                name=op.f("fk_client_notes_customer_id_users")),
        sa.ForeignKeyConstraint(["studio_id"], ["studios.id"],
                                name=op.f("fk_client_notes_studio_id_studios")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_notes")),
    )
    with op.batch_alter_table("client_notes", schema=None) as batch_op:
        batch_op.create_index("ix_client_notes_studio_customer",
                              ["studio_id", "customer_id", "created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("client_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_client_notes_studio_customer")
    op.drop_table("client_notes")
