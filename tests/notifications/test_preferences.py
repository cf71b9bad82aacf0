"""/me/notifications: channels per category, quiet hours, a phone proved by a code (a local
SMS provider in Twilio's shape); and the one-click unsubscribe link, without signing in."""

from datetime import UTC, datetime, time

from sqlalchemy import select

from app.extensions import db
from app.notifications.models import Notification, NotificationPreference, Status
from app.notifications.services import notify
from app.notifications.services.preferences import preferences_for
from tests.conftest import login
from tests.factories import ClassFactory, StudioFactory, UserFactory
from tests.notifications.conftest import INVALID_NUMBER


def prefs_of(user):
    db.session.expire_all()
    return db.session.get(NotificationPreference, user.id)


def test_the_page_shows_the_defaults_and_saves_choices(app, client):
    user = UserFactory(locale="ar")
    login(client, user)
    page = client.get("/me/notifications")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'dir="rtl"' in html and 'value="22:00"' in html and 'value="08:00"' in html
    response = client.post("/me/notifications", data={
        "transactional": ["email"], "reminders": ["email"], "news": ["email"],
        "quiet_start": "23:00", "quiet_end": "07:30"})
    assert response.status_code == 303
    prefs = prefs_of(user)
    assert prefs.choices == {"security": ["email"], "transactional": ["email"],
                             "reminders": ["email"], "news": ["email"]}
    assert (prefs.quiet_start, prefs.quiet_end) == (time(23, 0), time(7, 30))


def test_bad_input_is_refused_and_nothing_saved(app, client):
    user = UserFactory()
    login(client, user)
    half = client.post("/me/notifications", data={"quiet_start": "23:00", "quiet_end": ""})
    assert half.status_code == 422
    assert "Give both times" in half.get_data(as_text=True)
    bad = client.post("/me/notifications", data={"quiet_start": "25:99", "quiet_end": "07:00"})
    assert bad.status_code == 422
    fax = client.post("/me/notifications", data={"reminders": ["fax", "email"]})
    assert fax.status_code == 422
    assert prefs_of(user) is None  # nothing written
    # Security e-mail cannot be turned off.
    client.post("/me/notifications", data={"reminders": ["email"], "security": []})
    assert prefs_of(user).choices["reminders"] == ["email"]
    assert prefs_of(user).choices["security"] == ["email"]


def test_reminders_turned_off_send_nothing_but_security_still_goes(app, ctx, mail_server):
    studio = StudioFactory()
    cls = ClassFactory(studio=studio)
    user = UserFactory(timezone="UTC")
    prefs = preferences_for(user)
    prefs.choices = {**prefs.choices, "reminders": [], "security": []}
    noon = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    assert not notify(user, "class_reminder", studio=studio, dedup_key="r", now=noon, cls=cls,
                      booking=None, url="u")
    assert notify(user, "password_changed", dedup_key="p", now=noon)
    (mail,) = mail_server.to(user.email)
    assert "Reminder" not in mail["Subject"]


def test_one_click_unsubscribe_without_signing_in(app, ctx, client, mail_server):
    studio = StudioFactory()
    cls = ClassFactory(studio=studio)
    user = UserFactory(timezone="UTC")
    noon = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    notify(user, "class_reminder", studio=studio, dedup_key="r1", now=noon, cls=cls,
           booking=None, url="u")
    (mail,) = mail_server.to(user.email)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = mail["List-Unsubscribe"].strip("<>")
    assert link.startswith("http://fitflow.test/notifications/unsubscribe/")
    assert link in mail.get_body(("plain",)).get_content()
    assert link in mail.get_body(("html",)).get_content()
    path = link.removeprefix("http://fitflow.test")
    db.session.commit()
    # Following the link (a mail scanner does) only asks.
    assert client.get(path).status_code == 200
    assert prefs_of(user) is None or prefs_of(user).channels("reminders") == ["email"]
    # The mail client's one-click POST, with no session and no CSRF token, does it.
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert prefs_of(user).channels("reminders") == []
    assert not notify(user, "class_reminder", studio=studio, dedup_key="r2", now=noon, cls=cls,
                      booking=None, url="u")
    # A forged or tampered token is a 404.
    assert client.post(path[:-3] + "abc").status_code == 404


def test_unsubscribe_needs_no_csrf_but_the_settings_do(app, ctx, client, monkeypatch):
    from app.notifications.services.preferences import unsubscribe_url

    user = UserFactory()
    path = unsubscribe_url(user, "news").removeprefix("http://fitflow.test")
    db.session.commit()
    login(client, user)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    refused = client.post("/me/notifications", data={"quiet_start": "", "quiet_end": ""})
    assert refused.status_code == 400 and prefs_of(user) is None
    assert client.post(path).status_code == 200
    assert prefs_of(user).channels("news") == []


def test_phone_verification_then_sms_reminders(app, client, mail_server, sms, jobs):
    user = UserFactory(timezone="UTC")
    login(client, user)
    assert client.post("/me/notifications/phone",
                       data={"phone": "+966 50 123 4567"}).status_code == 303
    (code_text,) = sms.bodies("+966501234567")
    code = "".join(ch for ch in code_text if ch.isdigit())[:6]
    # The code is not kept in the log.
    row = db.session.scalar(select(Notification).where(Notification.template == "phone_code"))
    assert row.status == Status.SENT and row.payload is None and code not in str(row.subject)
    wrong = client.post("/me/notifications/phone/confirm", data={"code": "000000"})
    assert wrong.status_code == 422 or code == "000000"
    assert prefs_of(user).phone == ""
    assert client.post("/me/notifications/phone/confirm", data={"code": code}).status_code == 303
    assert prefs_of(user).phone == "+966501234567" and prefs_of(user).sms_ready
    client.post("/me/notifications", data={"transactional": ["email"],
                                            "reminders": ["email", "sms"],
                                            "quiet_start": "", "quiet_end": ""})
    studio = StudioFactory()
    cls = ClassFactory(studio=studio)
    with app.test_request_context():
        db.session.expire_all()
        from app.accounts.models import User

        assert notify(db.session.get(User, user.id), "class_reminder", studio=studio,
                      dedup_key="rem", cls=cls, booking=None, url="u")
    (reminder,) = sms.bodies("+966501234567")[1:]
    assert reminder.startswith("Reminder:") and f"Studio {studio.slug}" in reminder
    assert len(mail_server.to(user.email)) == 1


def test_wrong_codes_are_counted_and_run_out(app, client, sms):
    user = UserFactory()
    login(client, user)
    client.post("/me/notifications/phone", data={"phone": "+15551234567"})
    (text,) = sms.bodies("+15551234567")
    code = "".join(ch for ch in text if ch.isdigit())[:6]
    wrong = "111111" if code != "111111" else "222222"
    for _ in range(5):
        assert client.post("/me/notifications/phone/confirm",
                           data={"code": wrong}).status_code == 422
    # Even the right code is refused now: five wrong tries killed it.
    assert client.post("/me/notifications/phone/confirm", data={"code": code}).status_code == 422
    assert prefs_of(user).phone == ""


def test_an_invalid_number_is_refused_and_retired(app, client, sms):
    user = UserFactory()
    login(client, user)
    response = client.post("/me/notifications/phone", data={"phone": INVALID_NUMBER})
    assert response.status_code == 422
    assert "fail" in response.get_data(as_text=True)
    row = db.session.scalar(select(Notification).where(Notification.address == INVALID_NUMBER))
    assert row.status == Status.UNDELIVERABLE and "21211" in row.last_error
    assert sms.messages == []


def test_a_malformed_number_is_a_422(app, client, sms):
    user = UserFactory()
    login(client, user)
    for bad in ("0501234567", "+1", "+12345678901234567", "call me"):
        assert client.post("/me/notifications/phone", data={"phone": bad}).status_code == 422
    assert sms.requests == 0


def test_sms_retries_on_429_and_5xx_then_sends(app, ctx, sms):
    from app.notifications.services import deliver

    user = UserFactory(timezone="UTC")
    prefs = preferences_for(user)
    prefs.phone, prefs.phone_verified_at = "+15557654321", datetime(2026, 1, 1, tzinfo=UTC)
    prefs.choices = {**prefs.choices, "transactional": ["sms"]}
    studio = StudioFactory()
    cls = ClassFactory(studio=studio)
    sms.fail_next = [429, 503]
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    notify(user, "class_cancelled", studio=studio, dedup_key="cc", now=now, cls=cls,
           booking=None, url="u")
    (row,) = db.session.scalars(select(Notification).where(Notification.user_id == user.id))
    assert row.channel == "sms" and row.status == Status.QUEUED and "429" in row.last_error
    assert not deliver(row.id, now=row.due_at)
    assert row.status == Status.QUEUED and "503" in row.last_error and row.attempts == 2
    assert deliver(row.id, now=row.due_at)
    assert row.status == Status.SENT and len(sms.bodies("+15557654321")) == 1
