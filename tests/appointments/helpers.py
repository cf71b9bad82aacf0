"""Builders for 1:1 session tests: a coach with weekly hours and a session type."""

from datetime import time

from app.appointments.models import Availability, SessionType
from app.extensions import db
from app.studios.models import Role
from tests.factories import staff


def session_type(studio, *, duration=60, buffer=0, price=6000, active=True) -> SessionType:
    st = SessionType(studio_id=studio.id, name={"en": "Personal training", "ar": "تدريب شخصي"},
                     duration_minutes=duration, buffer_minutes=buffer, price_minor=price,
                     currency=studio.currency, active=active)
    db.session.add(st)
    db.session.flush()
    return st


def coach_with_hours(studio, *, weekdays=range(1, 8), starts=time(7), ends=time(9)):
    """A trainer of `studio` who takes sessions on `weekdays` between two local times."""
    coach = staff(studio, Role.TRAINER)
    location = studio.default_location
    for weekday in weekdays:
        db.session.add(Availability(studio_id=studio.id, coach_id=coach.id,
                                    location_id=location.id, weekday=weekday,
                                    starts_at_local=starts, ends_at_local=ends))
    db.session.flush()
    return coach
