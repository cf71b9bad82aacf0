"""Passkeys, authenticator apps, recovery codes and WebAuthn challenges

Revision ID: 0026_passkeys_second_step
Revises: 0025_membership_freeze
Create Date: 2026-12-07 04:00:00

Sign-in by passkey (WebAuthn) and a second step (TOTP with recovery codes): each table belongs
to a person and goes with them. Challenges are kept server-side, good once, for minutes.
"""
import sqlalchemy as sa
from alembic import op

revision = "0026_passkeys_second_step"
down_revision = "0025_membership_freeze"
branch_labels = None
depends_on = None


def _owner():
    return sa.Column("user_id", sa.Integer(),
                     sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)


def upgrade():
    op.create_table(
        "passkeys",
        sa.Column("id", sa.Integer(), primary_key=True),
        _owner(),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("credential_id", sa.LargeBinary(), nullable=False, unique=True),
        sa.Column("user_handle", sa.LargeBinary(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sign_count", sa.Integer(), nullable=False),
        sa.Column("backup_eligible", sa.Boolean(), nullable=False),
        sa.Column("backed_up", sa.Boolean(), nullable=False),
        sa.Column("user_verified", sa.Boolean(), nullable=False),
        sa.Column("transports", sa.String(120), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_passkeys_user_id", "passkeys", ["user_id"])
    op.create_table(
        "totp_secrets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False, unique=True),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), primary_key=True),
        _owner(),
        sa.Column("code_hash", sa.String(100), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_recovery_codes_user_id", "recovery_codes", ["user_id"])
    op.create_table(
        "auth_challenges",
        sa.Column("challenge", sa.String(100), primary_key=True),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("binding", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
    )
    op.create_index("ix_auth_challenges_expires_at", "auth_challenges", ["expires_at"])


def downgrade():
    op.drop_table("auth_challenges")
    op.drop_table("recovery_codes")
    op.drop_table("totp_secrets")
    op.drop_table("passkeys")
