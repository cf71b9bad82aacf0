"""Server-side sessions, single-use emailed links, the member pass's own key

Revision ID: 0027_auth_sessions
Revises: 0026_passkeys_second_step
Create Date: 2026-12-07 04:00:00

A signed-in browser is a row of auth_sessions (its cookie holds a random token whose SHA-256
is stored), so signing out, a new password or a timeout ends it for good. Verification and
reset links get random nonces of their own in account_links (hashed, single use, expiring).
users.session_token, which was part of every login cookie and link, now only keys the member
pass: it is renamed pass_key. Everyone is signed out once by this migration (their cookies
name no session row).
"""
import sqlalchemy as sa
from alembic import op


revision = "0027_auth_sessions"
down_revision = "0026_passkeys_second_step"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "auth_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("device", sa.String(length=80), nullable=False),
        sa.Column("place", sa.String(length=50), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_auth_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_auth_sessions_token_hash")),
    )
    op.create_index(op.f("ix_auth_sessions_user_id"), "auth_sessions", ["user_id"])
    op.create_table(
        "account_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_account_links_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_links_token_hash")),
    )
    op.create_index("ix_account_links_user_purpose", "account_links", ["user_id", "purpose"])
    with op.batch_alter_table("users") as batch:
        batch.alter_column("session_token", new_column_name="pass_key")


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.alter_column("pass_key", new_column_name="session_token")
    op.drop_index("ix_account_links_user_purpose", table_name="account_links")
    op.drop_table("account_links")
    op.drop_index(op.f("ix_auth_sessions_user_id"), table_name="auth_sessions")
    op.drop_table("auth_sessions")
