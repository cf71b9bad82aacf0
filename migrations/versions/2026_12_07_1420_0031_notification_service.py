"""One notification service: a delivery log, preferences, retired addresses, reminder hours

Revision ID: 0031_notification_service
Revises: 0030_certificates
Create Date: 2026-12-07 14:00:00

notifications becomes the delivery log: each message on each channel with its category,
template, address, status, attempts, last error and due time; the dedup key is unique per
channel and optional. Rows sent before keep their template name and count as sent.
"""
import sqlalchemy as sa
from alembic import op

revision = "0031_notification_service"
down_revision = "0030_certificates"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notifications") as batch:
        batch.alter_column("user_id", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("dedup_key", existing_type=sa.String(120), nullable=True)
        batch.add_column(sa.Column("studio_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("template", sa.String(40), nullable=False, server_default=""))
        batch.add_column(sa.Column("address", sa.String(254), nullable=False, server_default=""))
        batch.add_column(sa.Column("subject", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("status", sa.String(16), nullable=False,
                                   server_default="queued"))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("last_error", sa.String(300), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("payload", sa.JSON(), nullable=True))
    op.execute("UPDATE notifications SET template = category, category = 'transactional', "
               "status = CASE WHEN sent_at IS NULL THEN 'failed' ELSE 'sent' END, "
               "attempts = 1")
    op.execute("UPDATE notifications SET category = 'security' WHERE template IN "
               "('verify_email', 'password_reset', 'password_changed', 'sign_in_throttled', "
               "'payment_settings_changed', 'signup_notice')")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_constraint("uq_notifications_dedup_key", type_="unique")
        batch.create_unique_constraint("uq_notifications_channel_dedup_key",
                                       ["channel", "dedup_key"])
        batch.create_foreign_key("fk_notifications_studio_id_studios", "studios", ["studio_id"],
                                 ["id"], ondelete="SET NULL")
        batch.create_check_constraint(
            "ck_notifications_status",
            "status IN ('queued', 'deferred', 'sent', 'failed', 'undeliverable')")
    op.create_index("ix_notifications_due", "notifications", ["due_at"],
                    postgresql_where=sa.text("status IN ('queued', 'deferred')"))
    op.create_index("ix_notifications_studio", "notifications", ["studio_id", "created_at"])

    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("quiet_start", sa.Time(), nullable=True),
        sa.Column("quiet_end", sa.Time(), nullable=True),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("phone_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pending_phone", sa.String(20), nullable=False),
        sa.Column("phone_code_hash", sa.String(64), nullable=False),
        sa.Column("phone_code_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("phone_code_tries", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name="fk_notification_preferences_user_id_users"),
        sa.PrimaryKeyConstraint("user_id", name="pk_notification_preferences"),
    )
    op.create_table(
        "undeliverable_addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("address", sa.String(254), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_undeliverable_addresses"),
        sa.UniqueConstraint("channel", "address",
                            name="uq_undeliverable_addresses_channel_address"),
    )
    with op.batch_alter_table("studios") as batch:
        batch.add_column(sa.Column("reminder_hours", sa.JSON(), nullable=False,
                                   server_default="[24, 2]"))


def downgrade():
    with op.batch_alter_table("studios") as batch:
        batch.drop_column("reminder_hours")
    op.drop_table("undeliverable_addresses")
    op.drop_table("notification_preferences")
    op.drop_index("ix_notifications_studio", "notifications")
    op.drop_index("ix_notifications_due", "notifications")
    op.execute("DELETE FROM notifications WHERE dedup_key IS NULL OR user_id IS NULL "
               "OR channel <> 'email'")
    op.execute("UPDATE notifications SET category = template")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_constraint("ck_notifications_status", type_="check")
        batch.drop_constraint("fk_notifications_studio_id_studios", type_="foreignkey")
        batch.drop_constraint("uq_notifications_channel_dedup_key", type_="unique")
        batch.create_unique_constraint("uq_notifications_dedup_key", ["dedup_key"])
        for column in ("payload", "due_at", "last_error", "attempts", "status", "subject",
                       "address", "template", "studio_id"):
            batch.drop_column(column)
        batch.alter_column("dedup_key", existing_type=sa.String(120), nullable=False)
        batch.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
