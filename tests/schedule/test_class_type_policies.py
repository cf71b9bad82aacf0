"""The console's "Policies" section of a class type and the studio's new defaults: empty is the
studio's default (shown as the placeholder), bounded values, a translated 422 that writes
nothing, and an audit event for each change."""

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from app.audit.models import AuditEvent
from app.core.db import utcnow
from app.extensions import db
from app.schedule.models import ClassType
from app.studios.models import WaitlistMode
from tests.conftest import login
from tests.factories import ClassFactory, ClassTypeFactory, StudioFactory, UserFactory
from tests.pages import Page, text_of


@pytest.fixture
def studio(app):
    return StudioFactory(cancel_cutoff_minutes=120, late_cancel_fee_minor=1500,
                         max_upcoming_bookings=5)


def base(**policies) -> dict:
    return {"name_en": "Reformer", "duration_minutes": "50", "color": "#123456", **policies}


def url(studio, ct) -> str:
    return f"/manage/{studio.slug}/class-types/{ct.id}"


def audits(studio, action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.studio_id == studio.id,
                                                       AuditEvent.action == action)).all()


def test_the_policies_section_shows_the_studio_defaults_as_placeholders(client, studio, admin):
    ct = ClassTypeFactory(studio=studio)
    page = Page(client.get(url(studio, ct)))
    assert "Policies" in page.text("fieldset.policies legend")
    cutoff = page.one("#cancel_cutoff_minutes")
    assert cutoff.get("placeholder") == "120" and cutoff.get("value") in (None, "")
    assert page.one("#late_cancel_fee").get("placeholder") == "15.00"
    assert "Leave empty for the studio's default: 120." in page.text("fieldset.policies")


def test_admin_gives_a_class_type_its_own_policies_and_it_is_audited(client, studio, admin):
    ct = ClassTypeFactory(studio=studio)
    response = client.post(url(studio, ct), data=base(
        cancel_cutoff_minutes="720", late_cancel_fee="25.50", free_late_cancels="2",
        waitlist_mode="claim", auto_waive_late_cancel="yes", waitlist_cutoff_minutes="60",
        max_upcoming_bookings="3", booking_opens_days=""))
    assert response.status_code == 303
    db.session.expire_all()
    saved = db.session.get(ClassType, ct.id)
    assert (saved.cancel_cutoff_minutes, saved.late_cancel_fee_minor, saved.free_late_cancels,
            saved.waitlist_mode, saved.auto_waive_late_cancel, saved.waitlist_cutoff_minutes,
            saved.max_upcoming_bookings, saved.booking_opens_days, saved.no_show_fee_minor) == (
        720, 2550, 2, WaitlistMode.CLAIM, True, 60, 3, None, None)
    (event,) = audits(studio, "class_type.policies_changed")
    assert event.actor_id == admin.id
    assert event.data["changed"]["cancel_cutoff_minutes"] == [None, 720]

    page = Page(client.get(url(studio, ct)))  # shown back as saved
    assert page.one("#cancel_cutoff_minutes").get("value") == "720"
    assert page.one("#late_cancel_fee").get("value") == "25.50"

    client.post(url(studio, ct), data=base(waitlist_mode="", auto_waive_late_cancel=""))
    db.session.expire_all()  # emptied: back to the studio's defaults
    back = db.session.get(ClassType, ct.id)
    assert (back.cancel_cutoff_minutes, back.waitlist_mode, back.auto_waive_late_cancel) == (
        None, None, None)


@pytest.mark.parametrize("data, message", [
    ({"cancel_cutoff_minutes": "-5"}, None),
    ({"offer_hold_minutes": "0"}, None),
    ({"late_cancel_fee": "-1"}, None),
    ({"waitlist_mode": "sometimes"}, None),
    ({"max_upcoming_bookings": "9"},
     "يمكن لنوع الحصة أن يخفض الحد الأقصى للاستوديو (5)، لا أن يرفعه."),
])
def test_bad_policies_are_a_translated_422_and_write_nothing(client, studio, admin, data,
                                                             message):
    ct = ClassTypeFactory(studio=studio)
    response = client.post(url(studio, ct) + "?lang=ar", data=base(**data))
    assert response.status_code == 422
    errors = [e.text for e in Page(response).all(".field-error")]
    assert errors and all(not e.isascii() for e in errors)  # in Arabic
    if message:
        assert message in errors
    db.session.expire_all()
    assert db.session.get(ClassType, ct.id).name != {"en": "Reformer"}
    assert audits(studio, "class_type.policies_changed") == []


def test_the_studio_settings_set_the_new_defaults_audited(client, studio, admin):
    data = {"booking_opens_days": "7", "booking_closes_minutes": "0",
            "cancel_cutoff_minutes": "60", "waitlist_mode": "auto", "offer_hold_minutes": "10",
            "default_language": "en", "first_weekday": "1", "load_unit": "kg",
            "load_increment": "2.5", "waitlist_cutoff_minutes": "45", "free_late_cancels": "1",
            "auto_waive_late_cancel": "y", "max_upcoming_bookings": ""}
    response = client.post(f"/manage/{studio.slug}/settings", data=data)
    assert response.status_code == 303
    db.session.expire_all()
    assert (studio.waitlist_cutoff_minutes, studio.free_late_cancels,
            studio.auto_waive_late_cancel, studio.max_upcoming_bookings) == (45, 1, True, None)
    (event,) = audits(studio, "booking_settings_changed")
    assert {"waitlist_cutoff_minutes", "max_upcoming_bookings"} <= set(event.data["fields"])

    bad = client.post(f"/manage/{studio.slug}/settings?lang=ar",
                      data={**data, "free_late_cancels": "99", "max_upcoming_bookings": "4"})
    assert bad.status_code == 422
    assert all(not e.text.isascii() for e in Page(bad).all(".field-error"))
    db.session.expire_all()
    assert (studio.free_late_cancels, studio.max_upcoming_bookings) == (1, None)


# --- the week page follows each class type's booking window -----------------------------------


def test_a_week_card_follows_its_class_types_window_remembered_or_not(
        client, cards, monkeypatch):
    studio = StudioFactory(booking_opens_days=14)
    late = ClassTypeFactory(studio=studio, booking_opens_days=2)
    ClassFactory(studio=studio, class_type_id=late.id, hours_ahead=24 * 4)
    me = UserFactory()
    login(client, me)
    url = f"/s/{studio.slug}/schedule"

    def card() -> str:
        return text_of(Page(client.get(url)).all("article.class-card")[-1])

    first = card()
    assert "Booking for this class opens on" in first
    assert card() == first  # remembered, the same
    in_three_days = utcnow() + timedelta(days=3)
    monkeypatch.setattr("app.bookings.views.utcnow", lambda: in_three_days)
    assert card().endswith("Book")  # its window opened: the version said when
    monkeypatch.undo()

    db.session.execute(text("UPDATE class_types SET booking_opens_days = NULL WHERE id = :id"),
                       {"id": late.id})
    assert card().endswith("Book")  # the studio's 14 days again, changed outside the app
