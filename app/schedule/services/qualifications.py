"""Whether a coach may teach a class type on given days: a class type may require a
qualification (first aid, lifeguard). The qualifications themselves live in the certificates
domain, above this one, which installs its check in the factory
(`app.extensions["fitflow.missing_qualification"]`: (studio, class_type_id, coach_id, day) →
the missing qualification's name, or None). Without it nothing is required."""

from datetime import date, datetime

from flask import current_app

from app.accounts.models import User
from app.core.i18n import format_date, local, translated
from app.extensions import db
from app.schedule.errors import CoachNotQualified
from app.schedule.models import ClassType


def check_qualified(studio, class_type_id: int, coach_id: int | None,
                    starts: list[datetime], timezone: str) -> None:
    """Refuse a coach who lacks the class type's qualification on the last of `starts` (a
    qualification valid then was valid on every earlier class too)."""
    check = current_app.extensions.get("fitflow.missing_qualification")
    if check is None or coach_id is None or not starts:
        return
    day: date = local(max(starts), timezone).date()
    missing = check(studio, class_type_id, coach_id, day)
    if missing:
        coach = db.session.get(User, coach_id)
        class_type = db.session.get(ClassType, class_type_id)
        raise CoachNotQualified(coach=coach.name, qualification=missing,
                                name=translated(class_type.name, studio.default_language),
                                day=format_date(day, fmt="medium"))
