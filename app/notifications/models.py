from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import TimestampMixin, UTCDateTime
from app.extensions import db


class Notification(TimestampMixin, db.Model):
    """One message sent to one person; the dedup key makes a retried job send nothing twice."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16), default="email")
    category: Mapped[str] = mapped_column(String(40))
    dedup_key: Mapped[str] = mapped_column(String(120), unique=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
