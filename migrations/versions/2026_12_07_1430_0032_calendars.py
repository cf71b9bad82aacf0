"""Calendars: private feeds, CalDAV connections and their pushed events, busy times read back;
classes, bookings and appointments count their changes

Revision ID: 0032_calendars
Revises: 0031_notification_service
Create Date: 2026-12-07 13:55:00

classes, bookings and appointments gain `revision` (raised by the app on every change a
calendar shows: the event's SEQUENCE) and `changed_at` (its DTSTAMP), back-filled from
created_at. A feed's secret is kept as a SHA-256 (to find it) and sealed (to show the link);
a CalDAV app password is sealed (app/core/sealed.py).
"""
import sqlalchemy as sa
from alembic import op

revision = "0032_calendars"
down_revision = "0031_notification_service"
branch_labels = None
depends_on = None

REVISED = ("classes", "bookings", "appointments")


def _id():
    return sa.Column("id", sa.Integer(), nullable=False)


def _created():
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def upgrade():
    op.create_table(
        "calendar_feeds", _id(),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        _created(),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_calendar_feeds_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
        sa.UniqueConstraint("user_id", name=op.f("uq_calendar_feeds_user_id")),
    )
    op.create_table(
        "calendar_connections", _id(),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("password", sa.Text(), nullable=False),
        sa.Column("state", sa.Enum("pending", "ok", "failing", name="calendar_sync_state",
                                   native_enum=False, create_constraint=True, length=20),
                  nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        _created(),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_calendar_connections_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_connections")),
        sa.UniqueConstraint("user_id", name=op.f("uq_calendar_connections_user_id")),
    )
    op.create_table(
        "calendar_pushed_events", _id(),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=200), nullable=False),
        sa.Column("href", sa.String(length=1000), nullable=False),
        sa.Column("etag", sa.String(length=200), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"], ["calendar_connections.id"],
            name=op.f("fk_calendar_pushed_events_connection_id_calendar_connections"),
            ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_pushed_events")),
        sa.UniqueConstraint("connection_id", "uid",
                            name=op.f("uq_calendar_pushed_events_connection_id_uid")),
    )
    op.create_table(
        "external_busy", _id(),
        sa.Column("coach_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_external_busy_times")),
        sa.ForeignKeyConstraint(["coach_id"], ["users.id"],
                                name=op.f("fk_external_busy_coach_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_busy")),
    )
    op.create_index("ix_external_busy_coach_starts", "external_busy", ["coach_id", "starts_at"])
    # Plain ADD COLUMN, not a batch: SQLite's batch copies the table, and the spots-taken
    # triggers on bookings (0013) name classes.
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in REVISED:
        op.add_column(table, sa.Column("revision", sa.Integer(), server_default="0",
                                       nullable=False))
        op.add_column(table, sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True))
        op.execute(f"UPDATE {table} SET changed_at = created_at")
        if postgresql:  # SQLite cannot change a column in place (the app always sets it)
            op.alter_column(table, "changed_at", existing_type=sa.DateTime(timezone=True),
                            nullable=False, server_default=sa.func.now())


def downgrade():
    for table in REVISED:
        op.drop_column(table, "changed_at")
        op.drop_column(table, "revision")
    op.drop_index("ix_external_busy_coach_starts", table_name="external_busy")
    op.drop_table("external_busy")
    op.drop_table("calendar_pushed_events")
    op.drop_table("calendar_connections")
    op.drop_table("calendar_feeds")
