"""Web push against a push service on 127.0.0.1 that checks our VAPID JWT and decrypts the
aes128gcm body with the keys the test's "browser" holds: one signed, encrypted push per device
in the person's language; a gone subscription (410) is never used again; a busy service (503)
is tried again with the backoff."""

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from app.bookings import services as bookings
from app.extensions import db
from app.notifications.models import Notification, PushSubscription, Status
from app.notifications.services import deliver, notify
from app.notifications.services import push as push_service
from app.notifications.services.preferences import preferences_for
from tests.factories import ClassFactory, StudioFactory, UserFactory
from tests.push_service import b64

DELIVER = "workers.jobs.notifications.deliver"


def on_devices(service, user, *, count=1, categories=("transactional",)):
    """`user` subscribed `count` browsers and chose push for `categories` (nothing else)."""
    devices = [service.subscribe() for _ in range(count)]
    for device in devices:
        push_service.subscribe(user, device.endpoint, device.keys["p256dh"],
                               device.keys["auth"], "Chrome, Android", actor=user)
    prefs = preferences_for(user)
    prefs.choices = {**prefs.choices, **{c: ["push"] for c in categories}}
    prefs.quiet_start = prefs.quiet_end = None
    db.session.flush()
    return devices


def push_rows(user):
    return list(db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.channel == "push")
        .order_by(Notification.id)))


def booked(user, studio=None):
    """A confirmed booking of `user` and the confirmation's context for `notify`."""
    studio = studio or StudioFactory()
    cls = ClassFactory(studio=studio)
    booking = bookings.book_class(studio, cls, user, actor=user)
    return booking, {"studio": studio, "booking": booking, "cls": cls,
                     "url": f"http://fitflow.test/s/{studio.slug}/classes/{cls.id}"}


def test_a_booking_is_pushed_to_each_device_signed_encrypted_in_her_language(
        app, ctx, jobs, run_jobs, push_service):
    from workers.jobs.notifications import send_booking_confirmed

    studio = StudioFactory()
    cls = ClassFactory(studio=studio)
    user = UserFactory(locale="ar")
    phone, laptop = on_devices(push_service, user, count=2)
    booking = bookings.book_class(studio, cls, user, actor=user)
    db.session.commit()
    run_jobs("send_booking_confirmed")
    assert push_service.refused == []
    for device in (phone, laptop):
        (got,) = device.received
        body = got["payload"].pop("body")
        assert got["payload"] == {"title": f"استوديو {studio.slug}: تم حجزك",
                                  "url": f"/s/{studio.slug}/classes/{cls.id}", "lang": "ar"}
        assert body.startswith("محجوز:")
        assert got["claims"]["sub"] == app.config["VAPID_SUBJECT"]
        assert got["claims"]["aud"] == push_service.origin
    rows = push_rows(user)
    assert [(r.status, r.category, r.template) for r in rows] == \
        [(Status.SENT, "transactional", "booking_confirmed")] * 2
    subscriptions = db.session.scalars(select(PushSubscription).where(
        PushSubscription.user_id == user.id)).all()
    assert {r.address for r in rows} == {f"push:{s.id}" for s in subscriptions}
    assert all(s.last_used_at is not None for s in subscriptions)
    assert all(r.payload is None for r in rows)
    # The same confirmation again (a doubled job): nothing more on either device.
    send_booking_confirmed(booking.id)
    db.session.commit()
    assert len(phone.received) == len(laptop.received) == 1 and len(push_rows(user)) == 2


def test_a_subscription_the_push_service_says_is_gone_is_never_used_again(
        app, ctx, push_service):
    user = UserFactory()
    gone, kept = on_devices(push_service, user, count=2)
    push_service.answers[gone.token] = [410]
    _booking, context = booked(user)
    assert notify(user, "booking_confirmed", dedup_key="first", **context)
    statuses = {r.address: (r.status, r.last_error) for r in push_rows(user)}
    subscription = db.session.scalar(select(PushSubscription).where(
        PushSubscription.endpoint == gone.endpoint))
    assert statuses[subscription.address] == (Status.UNDELIVERABLE, "HTTP 410 Gone")
    assert subscription.undeliverable
    asked = push_service.requests
    assert notify(user, "booking_confirmed", dedup_key="second", **context)
    assert push_service.requests == asked + 1  # the kept device only
    assert gone.received == [] and len(kept.received) == 2
    # A delivery queued for it before it was gone is not sent either.
    late = Notification(channel="push", address=subscription.address, category="transactional",
                        template="booking_confirmed", status=Status.QUEUED, user_id=user.id,
                        payload={"subject": "x", "title": "x", "body": "x", "url": "/",
                                 "lang": "en"})
    db.session.add(late)
    db.session.flush()
    assert not deliver(late.id)
    assert late.status == Status.UNDELIVERABLE and push_service.requests == asked + 1


def test_a_busy_push_service_is_tried_again_with_the_backoff(app, ctx, jobs, push_service):
    user = UserFactory(locale="en")
    (device,) = on_devices(push_service, user)
    push_service.answers[device.token] = [503]
    _booking, context = booked(user)
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    assert notify(user, "booking_confirmed", dedup_key="busy", now=now, **context)
    (row,) = push_rows(user)
    assert (row.status, row.attempts, row.last_error) == \
        (Status.QUEUED, 1, "HTTP 503 Service Unavailable")
    assert row.due_at == now + timedelta(seconds=app.config["NOTIFY_RETRY_DELAYS"][0])
    db.session.commit()
    assert [(f, a, at) for f, a, _q, at in jobs if f == DELIVER] == \
        [(DELIVER, (row.id,), row.due_at)]
    assert deliver(row.id, now=row.due_at)
    assert row.status == Status.SENT and row.attempts == 2
    (got,) = device.received
    assert got["payload"]["title"].endswith(": You are booked")
    assert got["payload"]["lang"] == "en"


def test_the_push_service_refuses_a_push_signed_with_another_key(app, ctx, push_service,
                                                                 monkeypatch):
    """The negative control: the local service's VAPID check does refuse."""
    user = UserFactory()
    (device,) = on_devices(push_service, user)
    _booking, context = booked(user)
    other = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value
    monkeypatch.setitem(app.config, "VAPID_PRIVATE_KEY", b64(other.to_bytes(32, "big")))
    assert notify(user, "booking_confirmed", dedup_key="forged", **context)
    (row,) = push_rows(user)
    assert row.status == Status.QUEUED and row.last_error.startswith("HTTP 403")
    assert push_service.refused == ["signed by another key than subscribed with"]
    assert device.received == []


@pytest.mark.parametrize("url, opens", [
    ("http://fitflow.test/s/riyadh/classes/7?day=2026-12-08", "/s/riyadh/classes/7?day=2026-12-08"),
    ("/me/bookings", "/me/bookings"),
    ("https://evil.example/s/riyadh/classes/7", "/"),
    ("//evil.example/x", "/"),
    ("javascript:alert(1)", "/"),
    (None, "/"),
])
def test_a_tap_opens_a_page_of_this_site_only(app, ctx, url, opens):
    assert push_service.own_path(url) == opens
