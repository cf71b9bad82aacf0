"""The delivery log as staff see it on a customer's page (their studio's messages only) and
as the operator sees it platform-wide."""

from datetime import UTC, datetime

from app.extensions import db
from app.notifications.models import Notification, Status
from app.studios.models import Role
from app.studios.services import ensure_customer
from tests.conftest import login
from tests.factories import StudioFactory, UserFactory, staff
from tests.pages import Page


def logged(user, studio, subject, status=Status.SENT, **extra):
    row = Notification(user_id=user.id, studio_id=studio.id if studio else None,
                       channel=extra.pop("channel", "email"), category="transactional",
                       template="booking_confirmed", address=user.email, subject=subject,
                       status=status, attempts=extra.pop("attempts", 1),
                       last_error=extra.pop("last_error", ""),
                       created_at=datetime(2026, 12, 7, 12, 0, tzinfo=UTC), **extra)
    db.session.add(row)
    db.session.flush()
    return row


def test_staff_see_their_studio_s_messages_to_a_customer(app, client):
    studio, other = StudioFactory(), StudioFactory()
    owner = staff(studio, Role.OWNER)
    customer = UserFactory(name="Maha")
    ensure_customer(studio, customer)
    logged(customer, studio, "You are booked")
    logged(customer, studio, "Reminder: Yoga", Status.UNDELIVERABLE, attempts=1,
           last_error="SMTP 550 5.1.1 No such user here")
    logged(customer, other, "Other studio's secret class")
    logged(customer, None, "Choose a new FitFlow password")
    login(client, owner)
    page = Page(client.get(f"/manage/{studio.slug}/customers/{customer.id}"))
    text = page.text(".customer-messages")
    assert "You are booked" in text and "Reminder: Yoga" in text
    assert "Undeliverable" in text and "SMTP 550" in text
    assert "secret class" not in text and "password" not in text


def test_the_operator_sees_every_message_by_status(app, client):
    studio = StudioFactory()
    someone = UserFactory()
    logged(someone, studio, "Bounced hello", Status.UNDELIVERABLE, last_error="SMTP 550")
    logged(someone, studio, "Waiting for morning", Status.DEFERRED,
           due_at=datetime(2026, 12, 8, 5, 0, tzinfo=UTC))
    login(client, UserFactory(is_operator=True))
    everything = Page(client.get("/operator/notifications")).text("main")
    assert "Bounced hello" in everything and "Waiting for morning" in everything
    bounced = Page(client.get("/operator/notifications?status=undeliverable")).text("main")
    assert "Bounced hello" in bounced and "Waiting for morning" not in bounced
    assert client.get("/operator/notifications?status=nonsense").status_code == 404


def test_the_log_is_the_operator_s_only(app, client):
    login(client, UserFactory())
    assert client.get("/operator/notifications").status_code == 404
