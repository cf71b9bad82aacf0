"""/me/notifications and web push: the page carries our public VAPID key and the button's
script (permission asked only after the tap, so nothing on load), the script's JSON post saves
this device (CSRF in the header), bad input is a translated 422 with nothing saved, and each
device is listed with a remove button that only its owner can use."""

from sqlalchemy import func, select

from app.extensions import db
from app.notifications.models import NotificationPreference, PushSubscription
from tests.conftest import login
from tests.factories import UserFactory
from tests.pages import Page, csrf_token, text_of
from tests.push_service import b64

ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like "
                  "Gecko) Chrome/131.0.0.0 Mobile Safari/537.36")
P256DH = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"


AUTH = b64(b"0123456789abcdef")


def subscription(endpoint="https://fcm.googleapis.com/fcm/send/abc:def", p256dh=P256DH,
                 auth=AUTH):
    return {"endpoint": endpoint, "p256dh": p256dh, "auth": auth}


def subscriptions_of(user):
    db.session.expire_all()
    return list(db.session.scalars(select(PushSubscription).where(
        PushSubscription.user_id == user.id)))


def test_the_page_offers_this_device_without_asking_on_load(app, client):
    login(client, UserFactory(locale="ar"))
    page = Page(client.get("/me/notifications"))
    box = page.one("[data-push]")
    assert box.get("data-vapid-key") == app.config["VAPID_PUBLIC_KEY"]
    assert box.get("data-subscribe-url") == "/me/notifications/push"
    button = page.one("[data-push-enable]")
    assert text_of(button) == "ذكّرني على هذا الجهاز" and "hidden" in button.attrib
    assert page.one("script[src*='js/push.js']") is not None
    with open(app.static_folder + "/js/push.js") as script:
        source = script.read()
    # requestPermission runs in the click handler only.
    assert source.count("Notification.requestPermission") == 1
    assert source.index('button.addEventListener("click"') < \
        source.index("Notification.requestPermission")


def test_the_script_s_post_saves_this_device_and_its_reminders_go_there(app, client, csrf):
    user = UserFactory()
    token = csrf_token(client.get("/login"))
    assert client.post("/login", data={"email": user.email, "password": "secret-pass",
                                       "csrf_token": token}).status_code == 303
    token = csrf_token(client.get("/me/notifications"))
    refused = client.post("/me/notifications/push", json=subscription())
    assert refused.status_code == 400 and subscriptions_of(user) == []  # no CSRF header
    response = client.post("/me/notifications/push", json=subscription(),
                           headers={"X-CSRFToken": token, "User-Agent": ANDROID_CHROME})
    assert response.status_code == 201 and response.json["redirect"] == "/me/notifications"
    (saved,) = subscriptions_of(user)
    assert (saved.endpoint, saved.label, saved.undeliverable) == \
        ("https://fcm.googleapis.com/fcm/send/abc:def", "Chrome, Android", False)
    assert "push" in db.session.get(NotificationPreference, user.id).channels("reminders")
    page = Page(client.get("/me/notifications"))
    assert "This device will remind you." in page.text()
    (item,) = page.all("#push-devices li")
    assert "Chrome, Android" in text_of(item) and "Not used yet" in text_of(item)
    # Posted again (the page re-subscribing): still one device.
    client.post("/me/notifications/push", json=subscription(),
                headers={"X-CSRFToken": token, "User-Agent": ANDROID_CHROME})
    assert len(subscriptions_of(user)) == 1


def test_a_subscription_that_cannot_be_used_is_refused_in_her_language(app, client, monkeypatch):
    user = UserFactory(locale="ar")
    login(client, user)
    bad = [subscription(p256dh="not-a-key"), subscription(auth=b64(b"short")),
           subscription(p256dh=b64(b"\x05" + bytes(64))), subscription(endpoint="ftp://x/y"),
           subscription(endpoint=""), {"endpoint": "https://push.example/x"}]
    for body in bad:
        response = client.post("/me/notifications/push", json=body)
        assert response.status_code == 422, body
        assert response.json["error"] == "لا يمكن استخدام اشتراك هذا المتصفح في الإشعارات."
    monkeypatch.setitem(app.config, "PRODUCTION", True)  # browsers' push services are https
    assert client.post("/me/notifications/push",
                       json=subscription(endpoint="http://127.0.0.1:9/push/x")).status_code == 422
    assert subscriptions_of(user) == []
    assert db.session.scalar(select(func.count()).select_from(NotificationPreference)
                             .where(NotificationPreference.user_id == user.id)) == 0


def test_a_device_is_removed_by_its_owner_only(app, client):
    owner, other = UserFactory(), UserFactory()
    for user, endpoint in ((owner, "https://push.example/mine"),
                           (other, "https://push.example/theirs")):
        login(client, user)
        client.post("/me/notifications/push", json=subscription(endpoint=endpoint))
    (theirs,) = subscriptions_of(other)
    login(client, owner)
    (mine,) = subscriptions_of(owner)
    assert client.post(f"/me/notifications/push/{theirs.id}/remove").status_code == 404
    response = client.post(f"/me/notifications/push/{mine.id}/remove")
    assert response.status_code == 303
    assert subscriptions_of(owner) == [] and len(subscriptions_of(other)) == 1
    page = Page(client.get("/me/notifications"))
    assert "This device will no longer get notifications." in page.text()
    assert page.all("#push-devices li") == []
