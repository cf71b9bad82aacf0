"""A studio's own message texts (/manage/<studio>/settings/messages): defaults shown, named
placeholders checked on save (a translated 422, nothing written), a preview with sample data,
reset to the default; a message sent uses the studio's text, filled safely, in the recipient's
language, and the default in the other language."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.bookings import services
from app.extensions import db
from app.notifications.models import MessageText
from app.notifications.services.preferences import preferences_for
from app.studios.models import Role
from tests.conftest import login
from tests.factories import ClassFactory, StudioFactory, UserFactory, staff
from tests.pages import Page

URL = "/manage/{slug}/settings/messages"
HX = {"HX-Request": "true"}


@pytest.fixture
def studio(app):
    return StudioFactory()


@pytest.fixture
def admin(client, studio):
    user = staff(studio, Role.STUDIO_ADMIN, locale="en")
    login(client, user)
    return user


def texts_of(studio) -> int:
    return db.session.scalar(select(func.count()).select_from(MessageText)
                             .where(MessageText.studio_id == studio.id))


def save(client, studio, kind, lang, subject, body, **headers):
    return client.post(URL.format(slug=studio.slug) + f"?kind={kind}&language={lang}",
                       data={f"{lang}-subject": subject, f"{lang}-body": body}, headers=headers)


def test_the_kinds_and_a_kind_s_defaults_in_both_languages(client, studio, admin):
    page = client.get(URL.format(slug=studio.slug))
    assert page.status_code == 200
    assert "Class reminder" in page.get_data(as_text=True)
    assert "Money owed at the desk" in page.get_data(as_text=True)
    editor = client.get(URL.format(slug=studio.slug) + "?kind=class_reminder")
    body = editor.get_data(as_text=True)
    assert "See you soon in this class:" in body  # the English default, sample data filled
    assert "Yoga flow" in body and "{class_name}" in body
    assert "نراك قريبًا" in body or "تذكير" in body  # the Arabic default beside it
    assert client.get(URL.format(slug=studio.slug) + "?kind=password_reset").status_code == 404


@pytest.mark.parametrize("body", ["Hello {nmae}", "Hello {name", "Hello }", "{name.__class__}",
                                  "{name!r}", "{name:>99999}", "{0}", "{}"])
def test_a_bad_placeholder_is_a_translated_422_and_nothing_is_written(client, studio, admin,
                                                                      body):
    admin.locale = "ar"
    db.session.commit()
    response = save(client, studio, "class_reminder", "en", "Reminder", body)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "العنصر النائب" in text or "الأقواس" in text
    assert texts_of(studio) == 0


def test_a_saved_text_is_sent_filled_and_escaped_and_reset_brings_the_default(
        app, client, studio, admin, run_jobs, mail_server):
    answer = save(client, studio, "booking_confirmed", "en", "See you, {name}!",
                  "{class_name} at {place}, {starts_at}.\n\n<b>Bring water</b> — {studio_name}")
    assert answer.status_code == 303
    assert texts_of(studio) == 1
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.studio_id == studio.id, AuditEvent.action == "message_text.saved"))
    start = datetime.now(UTC) + timedelta(days=2)
    cls = ClassFactory(studio=studio, starts_at=start, ends_at=start + timedelta(hours=1))
    english, arabic = UserFactory(locale="en", name="Sam O'Brien"), UserFactory(locale="ar")
    for person in (english, arabic):
        services.book_class(studio, cls, person, actor=person)
    db.session.commit()
    run_jobs("send_booking_confirmed")
    (mail,) = mail_server.to(english.email)
    assert mail["Subject"] == "See you, Sam O'Brien!"
    plain = mail.get_body(("plain",)).get_content()
    assert cls.class_type.name["en"] in plain and "<b>Bring water</b>" in plain
    assert f"Studio {studio.slug}" in plain
    html = mail.get_body(("html",)).get_content()
    assert "&lt;b&gt;Bring water&lt;/b&gt;" in html and "<b>Bring" not in html
    (other,) = mail_server.to(arabic.email)
    assert other["Subject"] == "تم حجزك"  # no Arabic text written: the default
    # Back to the default: the next message is the template's again.
    reset = client.post(f"/manage/{studio.slug}/settings/messages/reset"
                        "?kind=booking_confirmed&language=en")
    assert reset.status_code == 303 and texts_of(studio) == 0
    late = UserFactory(locale="en")
    services.book_class(studio, cls, late, actor=late)
    db.session.commit()
    run_jobs("send_booking_confirmed")
    assert mail_server.to(late.email)[0]["Subject"] == "You are booked"


def test_preview_is_a_fragment_with_sample_data_and_writes_nothing(client, studio, admin):
    response = client.post(f"/manage/{studio.slug}/settings/messages/preview"
                           "?kind=session_reminder&language=ar",
                           data={"ar-subject": "تذكير: {session_name}",
                                 "ar-body": "مرحبًا {customer_name}، جلستك مع {coach_name}"},
                           headers=HX)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    fragment = Page(response)
    assert fragment.one("#message-editor-ar") is not None
    text = response.get_data(as_text=True)
    assert "<html" not in text and "Sara Ali" in text and "Lina Haddad" in text
    assert "تدريب شخصي" in text
    assert texts_of(studio) == 0
    bad = client.post(f"/manage/{studio.slug}/settings/messages/preview"
                      "?kind=session_reminder&language=ar",
                      data={"ar-subject": "{oops}", "ar-body": "x"}, headers=HX)
    assert bad.status_code == 422 and "{oops}" in bad.get_data(as_text=True)


def test_only_owners_and_admins_open_it(client, studio):
    for role in (Role.TRAINER, Role.FRONT_DESK):
        login(client, staff(studio, role))
        assert client.get(URL.format(slug=studio.slug)).status_code in (403, 404)
        assert save(client, studio, "class_reminder", "en", "x", "y").status_code in (403, 404)
    assert texts_of(studio) == 0


def test_quiet_hours_still_apply_to_a_reworded_reminder(app, studio, admin, client):
    """A reworded reminder is still a reminder: its category, not its text, decides when."""
    from app.notifications.services import notify

    save(client, studio, "class_reminder", "en", "Soon: {class_name}", "{starts_at}")
    user = UserFactory(locale="en", timezone="UTC")
    preferences_for(user)
    start = datetime(2030, 1, 8, 9, tzinfo=UTC)
    cls = ClassFactory(studio=studio, starts_at=start, ends_at=start + timedelta(hours=1))
    assert notify(user, "class_reminder", studio=studio, cls=cls, booking=None, url="u",
                  now=datetime(2030, 1, 8, 3, tzinfo=UTC))
    from app.notifications.models import Notification

    row = db.session.scalar(select(Notification).where(Notification.user_id == user.id))
    assert row.status == "deferred" and row.subject == f"Soon: {cls.class_type.name['en']}"
