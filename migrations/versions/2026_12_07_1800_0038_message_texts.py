"""Studio-editable message texts

Revision ID: 0038_message_texts
Revises: 0037_web_push
Create Date: 2026-12-07 18:00:00

A studio's own subject and body for a message kind in a language (message_texts), used in
place of the e-mail template's; one row per studio, kind and language.
"""
import sqlalchemy as sa
from alembic import op

revision = "0038_message_texts"
down_revision = "0037_web_push"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "message_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("studio_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["studio_id"], ["studios.id"], ondelete="CASCADE",
                                name=op.f("fk_message_texts_studio_id_studios")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_message_texts_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_texts")),
        sa.UniqueConstraint("studio_id", "kind", "locale",
                            name=op.f("uq_message_texts_studio_id_kind_locale")),
    )


def downgrade():
    op.drop_table("message_texts")
