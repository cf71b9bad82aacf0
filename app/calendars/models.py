"""A person's private feed, a coach's CalDAV connection and the events pushed to it."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin, UTCDateTime, str_enum
from app.core.sealed import Sealed
from app.extensions import db


class CalendarFeed(TimestampMixin, db.Model):
    """The secret of a person's feed URL: its SHA-256 finds the feed, the sealed copy shows the
    link again on /me/calendar. A new secret replaces the row's, and the old link is dead."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token: Mapped[str] = mapped_column(Sealed)

    user = relationship("User")


class SyncState(enum.StrEnum):
    PENDING = "pending"  # connected or changed, not pushed yet
    OK = "ok"
    FAILING = "failing"  # the last attempt failed; retried


class CalendarConnection(TimestampMixin, db.Model):
    """A coach's own CalDAV calendar (a collection URL, a user and an app password, sealed)."""

    __tablename__ = "calendar_connections"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         unique=True)
    url: Mapped[str] = mapped_column(String(500))
    username: Mapped[str] = mapped_column(String(200))
    password: Mapped[str] = mapped_column(Sealed)
    state: Mapped[SyncState] = mapped_column(str_enum(SyncState, "calendar_sync_state"),
                                             default=SyncState.PENDING)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    failures: Mapped[int] = mapped_column(default=0)
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")


class PushedEvent(db.Model):
    """One event as the coach's calendar holds it: where (href), its ETag there, and the
    SEQUENCE pushed, so a sync sends only what changed and deletes what is gone."""

    __tablename__ = "calendar_pushed_events"
    __table_args__ = (UniqueConstraint("connection_id", "uid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("calendar_connections.id", ondelete="CASCADE"))
    uid: Mapped[str] = mapped_column(String(200))
    href: Mapped[str] = mapped_column(String(1000))
    etag: Mapped[str] = mapped_column(String(200), default="")
    sequence: Mapped[int] = mapped_column(default=0)
