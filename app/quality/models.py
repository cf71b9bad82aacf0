"""A studio's last data-quality run and its findings. A run replaces the studio's findings, so
a problem fixed since the previous run is gone from the page."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime
from app.extensions import db


class QualityRun(db.Model):
    """When a studio's checks last ran (one row per studio)."""

    __tablename__ = "quality_runs"

    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A check that could not run (Stripe unreachable): its kind, so the page says so.
    skipped: Mapped[list] = mapped_column(JSON, default=list)


class QualityFinding(db.Model):
    """One problem found: its check, the ids involved, the values its description names, and
    the page where it is fixed (an endpoint and its arguments, turned into a URL when shown)."""

    __tablename__ = "quality_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    check_name: Mapped[str] = mapped_column(String(40))  # the CHECKS key that found it
    kind: Mapped[str] = mapped_column(String(40))
    ids: Mapped[list] = mapped_column(JSON, default=list)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    endpoint: Mapped[str] = mapped_column(String(80))
    endpoint_args: Mapped[dict] = mapped_column(JSON, default=dict)
