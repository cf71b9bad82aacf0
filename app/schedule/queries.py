"""Loaders and read helpers for the schedule."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.db import get_in_studio_or_404
from app.extensions import db
from app.schedule.models import ClassType, ScheduledClass, Series
from app.studios.models import Studio


def studio_timezone(studio: Studio) -> str:
    """The zone the studio's week is shown in: its first location's."""
    return studio.locations[0].timezone if studio.locations else "UTC"


def get_class_or_404(studio: Studio, class_id: int) -> ScheduledClass:
    """A class of this studio; another studio's class is a 404."""
    cls = db.session.scalar(
        select(ScheduledClass).where(ScheduledClass.id == class_id,
                                     ScheduledClass.studio_id == studio.id)
        .options(selectinload(ScheduledClass.coach), selectinload(ScheduledClass.room))
    )
    if cls is None:
        abort(404)
    return cls


def get_class_type_or_404(studio: Studio, type_id: int) -> ClassType:
    return get_in_studio_or_404(ClassType, studio, type_id)


def list_class_types(studio: Studio) -> list[ClassType]:
    return db.session.scalars(
        select(ClassType).where(ClassType.studio_id == studio.id).order_by(ClassType.id)
    ).all()


def list_series(studio: Studio) -> list[Series]:
    return db.session.scalars(
        select(Series).where(Series.studio_id == studio.id)
        .options(selectinload(Series.class_type), selectinload(Series.location),
                 selectinload(Series.coach))
        .order_by(Series.starts_on.desc(), Series.id.desc())
    ).all()


@dataclass(frozen=True)
class ScheduleFilters:
    location_id: int | None = None
    class_type_id: int | None = None
    coach_id: int | None = None

    @property
    def active(self) -> bool:
        return any((self.location_id, self.class_type_id, self.coach_id))


def local_today(tz: str) -> date:
    return datetime.now(ZoneInfo(tz)).date()


def day_bounds(day: date, tz: str, days: int = 1) -> tuple[datetime, datetime]:
    """The UTC instants where local `day` starts and `days` later ends."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=days), time.min, tzinfo=zone)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def list_classes(studio: Studio, start: date, days: int, filters: ScheduleFilters,
                 tz: str) -> list[ScheduledClass]:
    """Classes from local day `start` for `days` days, with type, location and coach loaded."""
    lo, hi = day_bounds(start, tz, days)
    query = (
        select(ScheduledClass)
        .where(ScheduledClass.studio_id == studio.id, ScheduledClass.starts_at >= lo,
               ScheduledClass.starts_at < hi)
        .options(selectinload(ScheduledClass.coach))
        .order_by(ScheduledClass.starts_at, ScheduledClass.id)
    )
    if filters.location_id:
        query = query.where(ScheduledClass.location_id == filters.location_id)
    if filters.class_type_id:
        query = query.where(ScheduledClass.class_type_id == filters.class_type_id)
    if filters.coach_id:
        query = query.where(ScheduledClass.coach_id == filters.coach_id)
    return db.session.scalars(query).unique().all()


def list_coach_classes(coach, lo: datetime, hi: datetime) -> list[ScheduledClass]:
    """A coach's classes in a window, across all their studios."""
    return db.session.scalars(
        select(ScheduledClass)
        .where(ScheduledClass.coach_id == coach.id, ScheduledClass.starts_at >= lo,
               ScheduledClass.starts_at < hi)
        .order_by(ScheduledClass.starts_at)
    ).unique().all()


def group_by_day(classes: list[ScheduledClass], start: date, tz: str,
                 days: int = 7) -> list[tuple[date, list[ScheduledClass]]]:
    """Seven (local day, classes) pairs, empty days included."""
    zone = ZoneInfo(tz)
    grouped: dict[date, list[ScheduledClass]] = {start + timedelta(days=i): [] for i in range(days)}
    for cls in classes:
        grouped.setdefault(cls.starts_at.astimezone(zone).date(), []).append(cls)
    return list(grouped.items())
