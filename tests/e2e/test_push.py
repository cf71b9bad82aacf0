"""Web push in Chromium: the service worker shows a push in the person's language and keeps a
tap on this site; and the issue's "done" scenario in Arabic, on a phone: a customer sets quiet
hours and a phone number (the code comes by SMS from the local provider), turns on push, books
a class and sees the push; the reminder due inside her quiet hours comes at their end.

Headless Chromium cannot reach its real push service (FCM), so two parts stand in for it: the
page's PushManager.subscribe hands out a subscription at the local push service
(tests/push_service.py, which checks our VAPID JWT and decrypts the payload with the keys the
test holds), and what that service decrypted is delivered to the service worker over CDP
(ServiceWorker.deliverPushMessage), as the browser's push service would.
"""

import base64
import json
import re
import time as clock
import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.utils import import_string

from app.bookings.models import Booking
from app.bookings.reminders import queue_due_reminders
from app.extensions import db
from app.notifications.models import Notification, Status
from app.schedule.models import ScheduledClass
from tests import push_service as local_push
from tests.e2e.conftest import PHONE, TZ, Texts, sign_in
from tests.factories import UserFactory
from tests.notifications.conftest import SID, TOKEN, SmsProvider

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

# Counts permission prompts (none before the tap) and stands in for the browser's registration
# with its push service: the subscription it returns is the local push service's.
FAKE_PUSH_MANAGER = """
(() => {
  const store = window.sessionStorage;  // kept across the page's own navigations
  const ask = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = () => {
    store.setItem("asked", String(Number(store.getItem("asked") || 0) + 1));
    return ask();
  };
  const subscription = %s;
  PushManager.prototype.getSubscription = () => Promise.resolve(null);
  PushManager.prototype.subscribe = function (options) {
    store.setItem("serverKey",
                  btoa(String.fromCharCode(...new Uint8Array(options.applicationServerKey))));
    return Promise.resolve({ endpoint: subscription.endpoint, toJSON: () => subscription,
                             unsubscribe: () => Promise.resolve(true) });
  };
})();
"""
SHOWN = """() => navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((all) =>
  all.map((n) => ({ title: n.title, body: n.body, lang: n.lang, dir: n.dir, url: n.data.url })))"""


@pytest.fixture
def push_service(live_app):
    service = local_push.start(live_app.config["VAPID_PUBLIC_KEY"])
    yield service
    local_push.stop(service)


@pytest.fixture
def sms(live_app, monkeypatch):
    provider = SmsProvider()
    import threading

    threading.Thread(target=provider.serve_forever, daemon=True).start()
    for name, value in (("SMS_BASE_URL", provider.url), ("SMS_ACCOUNT_SID", SID),
                        ("SMS_AUTH_TOKEN", TOKEN), ("SMS_FROM", "+15005550006")):
        monkeypatch.setitem(live_app.config, name, value)
    yield provider
    provider.shutdown()
    provider.server_close()


class BrowserPush:
    """Delivers a push to the page's service worker over CDP, as the browser's push service
    would. The worker is started first and seen running: a push delivered while an idle
    worker is being stopped or started is now and then lost (seen in headless Chromium)."""

    def __init__(self, context, page, origin: str):
        self.cdp, self.page, self.origin = context.new_cdp_session(page), page, origin
        self.registrations, self.running = {}, set()
        self.cdp.on("ServiceWorker.workerRegistrationUpdated", self._registrations)
        self.cdp.on("ServiceWorker.workerVersionUpdated", self._versions)
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        self.cdp.send("ServiceWorker.enable")
        self.registration = self._wait(lambda: self.registrations.get(f"{origin}/"))

    def _registrations(self, event):
        self.registrations.update({r["scopeURL"]: r["registrationId"]
                                   for r in event["registrations"] if not r.get("isDeleted")})

    def _versions(self, event):
        for version in event["versions"]:
            if version["runningStatus"] == "running":
                self.running.add(version["registrationId"])
            else:
                self.running.discard(version["registrationId"])

    def _wait(self, found):
        deadline = clock.monotonic() + 10
        while not (value := found()) and clock.monotonic() < deadline:
            self.page.wait_for_timeout(50)  # CDP events arrive while Playwright waits
        assert value, "the service worker did not come up"
        return value

    def deliver(self, payload: dict) -> None:
        self.cdp.send("ServiceWorker.startWorker", {"scopeURL": f"{self.origin}/"})
        self._wait(lambda: self.registration in self.running)
        self.cdp.send("ServiceWorker.deliverPushMessage", {
            "origin": self.origin, "registrationId": self.registration,
            "data": json.dumps(payload, ensure_ascii=False)})


def shown(page, count: int) -> list[dict]:
    """The notifications the service worker shows, once there are `count` of them (showing
    one is asynchronous to the push that caused it)."""
    deadline = clock.monotonic() + 10
    while len(notes := page.evaluate(SHOWN)) < count and clock.monotonic() < deadline:
        page.wait_for_timeout(50)
    return notes


def test_the_service_worker_shows_a_push_and_keeps_a_tap_on_this_site(
        new_context, live_server):
    context = new_context(locale="en", **PHONE)
    context.grant_permissions(["notifications"], origin=live_server)
    page = context.new_page()
    page.goto(f"{live_server}/offline/en")
    browser_push = BrowserPush(context, page, live_server)
    for data in ({"title": "FitFlow Riyadh: You are booked", "body": "Booked: Yoga",
                  "url": "/s/e2e/classes/7?x=1", "lang": "en"},
                 {"title": "فت فلو الرياض: تذكير", "body": "تذكير: يوغا",
                  "url": "https://evil.example/phish", "lang": "ar"}):
        browser_push.deliver(data)
    english, arabic = sorted(shown(page, 2), key=lambda n: n["lang"], reverse=True)
    assert english == {"title": "FitFlow Riyadh: You are booked", "body": "Booked: Yoga",
                       "lang": "en", "dir": "ltr", "url": f"{live_server}/s/e2e/classes/7?x=1"}
    # Another site's address in a payload opens our home page instead.
    assert arabic == {"title": "فت فلو الرياض: تذكير", "body": "تذكير: يوغا", "lang": "ar",
                      "dir": "rtl", "url": f"{live_server}/"}
    context.close()


def test_done_in_arabic_quiet_hours_phone_push_booking_and_a_deferred_reminder(
        new_context, live_app, live_server, scenario, push_service, sms, monkeypatch,
        artifacts_dir):
    t = Texts(live_app, "ar")
    email = f"push-{uuid.uuid4().hex[:8]}@example.com"
    with live_app.app_context():
        UserFactory(email=email, name="نورة", locale="ar", timezone=TZ)
        db.session.commit()
    device = push_service.subscribe()
    context = new_context(locale="ar", **PHONE)
    context.grant_permissions(["notifications"], origin=live_server)
    context.add_init_script(FAKE_PUSH_MANAGER % json.dumps(
        {"endpoint": device.endpoint, "keys": device.keys}))
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status} {r.url}"))
    sign_in(page, live_server, t, "ar", email)

    # Her phone number, proved by the code the SMS provider received.
    page.goto(f"{live_server}/me/notifications")
    number = "+966501234567"
    page.get_by_label(t("Mobile number")).fill(number)
    page.get_by_role("button", name=t("Text me a code")).tap()
    expect(page.get_by_text(t("We sent a code to %(phone)s.", phone=number))).to_be_visible()
    (text,) = sms.bodies(number)
    page.get_by_label(t("Code")).fill(re.search(r"\b\d{6}\b", text).group())
    page.get_by_role("button", name=t("Confirm the number")).tap()
    expect(page.get_by_text(t("Your number is confirmed."))).to_be_visible()

    # Push on this device: the browser asks for permission only after the tap.
    button = page.get_by_role("button", name=t("Remind me on this device"))
    expect(button).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('asked')") is None
    button.tap()
    expect(page.get_by_text(t("This device will remind you."))).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('asked')") == "1"
    server_key = base64.urlsafe_b64decode(live_app.config["VAPID_PUBLIC_KEY"] + "==")
    assert base64.b64decode(page.evaluate("sessionStorage.getItem('serverKey')")) == server_key
    expect(page.locator("#push-devices li")).to_have_count(1)

    # Bookings pushed too, reminders by text as well; quiet hours 15:00–17:00 (her zone).
    page.get_by_role("group", name=t("Bookings and payments")).get_by_role(
        "checkbox", name=t("On my devices (push)")).check()
    reminders = page.get_by_role("group", name=t("Class reminders"))
    expect(reminders.get_by_role("checkbox", name=t("On my devices (push)"))).to_be_checked()
    reminders.get_by_role("checkbox", name=t("Text message (SMS)")).check()
    page.get_by_label(t("Quiet from")).fill("15:00")
    page.get_by_label(t("Quiet until")).fill("17:00")
    page.get_by_role("button", name=t("Save"), exact=True).tap()
    expect(page.get_by_text(t("Your notification settings are saved."))).to_be_visible()
    page.screenshot(path=artifacts_dir / "push-01-settings-ar.png", full_page=True)

    # She books; the confirmation reaches the push service signed and encrypted, and the
    # service worker shows what it decrypted.
    page.goto(f"{live_server}/s/{scenario.studio_slug}/schedule")
    panel = page.locator(f"#booking-panel-{scenario.open_class_id}")
    panel.get_by_role("button", name=re.compile("^" + re.escape(t("Book")) + ":")).tap()
    expect(panel.locator(".badge-ok")).to_have_text(t("You're booked"))
    (booked,) = device.received
    studio_name = "فت فلو الرياض"
    class_path = f"/s/{scenario.studio_slug}/classes/{scenario.open_class_id}"
    assert booked["payload"]["title"] == f"{studio_name}: {t('You are booked')}"
    assert booked["payload"]["url"] == class_path and booked["payload"]["lang"] == "ar"
    assert booked["payload"]["body"].startswith(t("Booked:"))
    assert scenario.open_class_name["ar"] in booked["payload"]["body"]
    browser_push = BrowserPush(context, page, live_server)
    browser_push.deliver(booked["payload"])
    (notification,) = shown(page, 1)
    assert notification == {"title": booked["payload"]["title"],
                            "body": booked["payload"]["body"], "lang": "ar", "dir": "rtl",
                            "url": live_server + class_path}

    # The 2-hour reminder falls at 16:00, inside her quiet hours: held until 17:00.
    with live_app.app_context():
        cls = db.session.get(ScheduledClass, scenario.open_class_id)
        booking_id = db.session.scalar(select(Booking.id).where(
            Booking.class_id == cls.id, Booking.status == "confirmed"))
        starts = cls.starts_at
    due, end = starts - timedelta(hours=2), starts.astimezone(ZoneInfo(TZ)).replace(
        hour=17, minute=0)
    assert due.astimezone(ZoneInfo(TZ)).time() == time(16, 0)
    captured: list = []
    monkeypatch.setitem(live_app.config, "JOBS_CAPTURE", captured)

    def run_jobs_at(now: datetime, wanted: str, first_arg: int) -> list:
        monkeypatch.setattr("app.core.db.utcnow", lambda: now)
        monkeypatch.setattr("app.notifications.services.sending.utcnow", lambda: now)
        # A reminder batch (hours, booking ids…) is narrowed to this test's booking.
        jobs = [(f, (a[0], first_arg) if f.endswith("reminders") else a, q, at)
                for f, a, q, at in captured if f.endswith(wanted)
                and first_arg in (a[1:] if f.endswith("reminders") else a[:1])]
        captured.clear()
        results = []
        for func, args, _queue, _at in jobs:
            with live_app.app_context():
                results.append(import_string(func)(*args))
                db.session.commit()
        return results

    with live_app.app_context():
        queue_due_reminders(due)
        db.session.commit()
    assert run_jobs_at(due, "send_class_reminders", booking_id) == [1]
    with live_app.app_context():
        held = db.session.scalars(select(Notification).where(
            Notification.template == "class_reminder",
            Notification.dedup_key.like(f"reminder:{booking_id}:2%"))).all()
        assert sorted((r.channel, r.status, r.due_at) for r in held) == [
            ("email", Status.DEFERRED, end), ("push", Status.DEFERRED, end),
            ("sms", Status.DEFERRED, end)]
        ids = [r.id for r in held]
    assert len(device.received) == 1 and sms.bodies(number) == [text]  # nothing yet
    assert sorted(args[0] for _f, args, _q, at in captured if at == end) == sorted(ids)
    jobs_at_end = list(captured)
    for row_id in ids:  # the worker's timer fires a minute early: still held
        captured[:] = jobs_at_end
        assert run_jobs_at(end - timedelta(minutes=1), "deliver", row_id) == [False]
    assert len(device.received) == 1
    for row_id in ids:
        captured[:] = [("workers.jobs.notifications.deliver", (row_id,), "notifications", end)]
        assert run_jobs_at(end, "deliver", row_id) == [True]
    reminder = device.received[1]["payload"]
    assert reminder["title"].startswith(f"{studio_name}: ") and reminder["url"] == class_path
    assert scenario.open_class_name["ar"] in reminder["body"] and reminder["lang"] == "ar"
    assert len(sms.bodies(number)) == 2 and scenario.open_class_name["ar"] in sms.bodies(number)[1]
    browser_push.deliver(reminder)
    titles = {n["title"] for n in shown(page, 2)}
    assert titles == {booked["payload"]["title"], reminder["title"]}
    assert push_service.refused == [] and problems == []
    context.close()
