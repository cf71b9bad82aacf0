from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin, UTCDateTime
from app.extensions import db

NOTE_MAX = 4000


class ClientNote(TimestampMixin, db.Model):
    """A private note by a studio's staff about one of its customers (never shown to them)."""

    __tablename__ = "client_notes"
    __table_args__ = (
        CheckConstraint(f"length(body) <= {NOTE_MAX}", name="body_length"),
        Index("ix_client_notes_studio_customer", "studio_id", "customer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)

    author = relationship("User", foreign_keys=[author_id])


class MergedCustomer(db.Model):
    """An account merged into another in one studio (app/clients/services/merge.py): a booking
    for it, made while the merge ran or after, lands on the account kept (a trigger on
    bookings, migration 0045)."""

    __tablename__ = "merged_customers"
    __table_args__ = (Index("ix_merged_customers_kept_id", "studio_id", "kept_id"),)

    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    kept_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime)
