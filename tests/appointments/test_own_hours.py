"""Coaches set their own weekly hours and time off (/coach/<studio>/hours) where the studio
allows it (a setting on its settings page); otherwise the page does not exist for them."""

from datetime import time

import pytest
from sqlalchemy import func, select

from app.appointments.models import Availability, TimeOff
from app.audit.models import AuditEvent
from app.extensions import db
from app.studios.models import Role
from tests.conftest import login
from tests.factories import StudioFactory, staff
from tests.pages import Page
from tests.schedule.test_manage_views import SETTINGS


@pytest.fixture
def studio(app):
    return StudioFactory()


@pytest.fixture
def coach(client, studio):
    user = staff(studio, Role.TRAINER, name="Coach Lina")
    login(client, user)
    return user


def hours_data(studio, **overrides) -> dict:
    return {"hours-weekday": "2", "hours-location_id": str(studio.default_location_id),
            "hours-starts": "07:00", "hours-ends": "10:00", **overrides}


def allow(studio, allowed: bool = True):
    studio.coaches_set_own_hours = allowed
    db.session.commit()


def rows(model, coach) -> int:
    return db.session.scalar(select(func.count()).select_from(model)
                             .where(model.coach_id == coach.id))


def test_the_owner_turns_the_setting_on_on_the_settings_page(client, studio):
    owner = staff(studio, Role.OWNER)
    login(client, owner)
    page = Page(client.get(f"/manage/{studio.slug}/settings?lang=en"))
    assert "Coaches set their own weekly hours and time off" in page.text()
    answer = client.post(f"/manage/{studio.slug}/settings",
                         data={**SETTINGS, "coaches_set_own_hours": "y"})
    assert answer.status_code == 303
    db.session.refresh(studio)
    assert studio.coaches_set_own_hours is True
    audit = db.session.scalar(select(AuditEvent).where(
        AuditEvent.studio_id == studio.id, AuditEvent.action == "booking_settings_changed"))
    assert "coaches_set_own_hours" in audit.data["fields"]


def test_when_the_studio_allows_it_a_coach_edits_their_own_hours_and_time_off(
        client, studio, coach):
    allow(studio)
    page = Page(client.get(f"/coach/{studio.slug}/hours?lang=en"))
    assert [a.text for a in page.all(f"a[href='/coach/{studio.slug}/hours']")] == ["My hours"]
    assert "No weekly hours yet." in page.text()

    assert client.post(f"/coach/{studio.slug}/hours", data=hours_data(studio)).status_code == 303
    window = db.session.scalar(select(Availability).where(Availability.coach_id == coach.id))
    assert (window.weekday, window.starts_at_local, window.ends_at_local) == (2, time(7), time(10))
    assert "07:00–10:00" in Page(client.get(f"/coach/{studio.slug}/hours?lang=en")).text()

    off = client.post(f"/coach/{studio.slug}/time-off",
                      data={"off-starts": "2099-12-24T00:00", "off-ends": "2099-12-27T00:00",
                            "off-reason": "Holidays"})
    assert off.status_code == 303 and rows(TimeOff, coach) == 1

    gone = client.post(f"/coach/{studio.slug}/hours/{window.id}/delete")
    assert gone.status_code == 303 and rows(Availability, coach) == 0
    actions = set(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.studio_id == studio.id, AuditEvent.actor_id == coach.id)))
    assert {"coach.hours_added", "coach.time_off_added", "coach.hours_removed"} <= actions


def test_bad_hours_are_422_in_arabic_and_write_nothing(client, studio, coach):
    allow(studio)
    answer = client.post(f"/coach/{studio.slug}/hours?lang=ar",
                         data=hours_data(studio, **{"hours-ends": "06:00"}))
    assert answer.status_code == 422
    assert "يجب أن تكون النهاية بعد البداية" in Page(answer).text(".field-error")
    assert rows(Availability, coach) == 0


def test_when_the_studio_does_not_allow_it_the_page_is_not_there(client, studio, coach):
    allow(studio, False)
    assert client.get(f"/coach/{studio.slug}/hours").status_code == 404
    assert client.post(f"/coach/{studio.slug}/hours", data=hours_data(studio)).status_code == 404
    assert rows(Availability, coach) == 0
    profile = Page(client.get(f"/coach/{studio.slug}/profile?lang=en"))
    assert profile.all(f"a[href='/coach/{studio.slug}/hours']") == []


def test_a_coach_cannot_remove_another_coach_s_hours(client, studio, coach):
    allow(studio)
    other = staff(studio, Role.TRAINER)
    theirs = Availability(studio_id=studio.id, coach_id=other.id,
                          location_id=studio.default_location_id, weekday=1,
                          starts_at_local=time(9), ends_at_local=time(11))
    off = TimeOff(studio_id=studio.id, coach_id=other.id, starts_at=window_start(),
                  ends_at=window_start(hours=5))
    db.session.add_all([theirs, off])
    db.session.commit()
    assert client.post(f"/coach/{studio.slug}/hours/{theirs.id}/delete").status_code == 404
    assert client.post(f"/coach/{studio.slug}/time-off/{off.id}/delete").status_code == 404
    assert rows(Availability, other) == 1 and rows(TimeOff, other) == 1


def window_start(hours: int = 0):
    from datetime import UTC, datetime, timedelta

    return datetime(2099, 1, 1, tzinfo=UTC) + timedelta(hours=hours)
