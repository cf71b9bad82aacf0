"""What the training reads share: a client's sets and sessions in one studio, the studio's
days, and Epley's estimated 1RM in SQL."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import Numeric, case, literal_column

from app.accounts.models import User
from app.studios.models import Studio
from app.training.models import LoggedSet, TrainingSession


def local_day(moment: datetime, tz: str) -> date:
    return moment.astimezone(ZoneInfo(tz)).date()


def midnight_utc(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(tz)).astimezone(UTC)


def e1rm_sql():
    """Epley's estimate in SQL, as `estimated_1rm` computes it (a single is its own 1RM)."""
    # A decimal divisor: SQLite would divide a whole-number load by an integer 30 as integers.
    return case((LoggedSet.reps <= 1, LoggedSet.load),
                else_=LoggedSet.load * (30 + LoggedSet.reps) / literal_column("30.0", Numeric))


def sets_of(studio: Studio, client: User):
    return (LoggedSet.studio_id == studio.id, LoggedSet.client_id == client.id)


def sessions_of(studio: Studio, client: User):
    return (TrainingSession.studio_id == studio.id, TrainingSession.client_id == client.id)

