"""The operator starts a studio for someone and invites its owner by a signed, expiring link;
suspends and resumes studios: a suspended studio tells customers it is closed, sells and books
nothing (one policy, asked by the booking and order services), and its staff still work."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.billing.models import Order
from app.billing.services.orders import place_order
from app.bookings import services as bookings
from app.bookings.models import Booking
from app.core.db import utcnow
from app.core.mail import read_mailbox
from app.extensions import db
from app.studios.errors import StudioSuspended
from app.studios.models import Invitation, Role, StaffRole, Studio
from app.studios.services.operating import invitation_token, suspend_studio
from tests.conftest import login
from tests.factories import ClassFactory, PlanFactory, StudioFactory, UserFactory, staff
from tests.pages import Page

NEW = {"owner_email": "Owner@Jeddah-Fit.sa", "name_ar": "نادي جدة", "name_en": "Jeddah Fit",
       "slug": "", "country": "SA", "province": "", "location_name_ar": "",
       "location_name_en": "", "address": "", "timezone": "", "default_language": "ar"}


@pytest.fixture
def operator(client):
    user = UserFactory(is_operator=True)
    login(client, user)
    return user


def role_of(user, studio):
    return db.session.scalar(select(StaffRole.role).where(StaffRole.studio_id == studio.id,
                                                          StaffRole.user_id == user.id))


def test_the_operator_starts_a_studio_and_its_invited_owner_accepts(client, app, operator,
                                                                   run_jobs):
    response = client.post("/operator/studios", data=NEW)
    assert response.status_code == 303
    studio = db.session.scalar(select(Studio).where(Studio.slug == "jeddah-fit"))
    assert studio.default_location.name == {"ar": "الفرع الرئيسي", "en": "Main location"}
    assert db.session.scalar(select(func.count()).select_from(StaffRole)
                             .where(StaffRole.studio_id == studio.id)) == 0
    run_jobs("send_invitation")
    mail = [m for m in read_mailbox() if m["To"] == "owner@jeddah-fit.sa"][-1]
    assert "جدة" in mail["Subject"]  # in the studio's language: the invitee has no account
    link = next(line for line in mail.get_body(("plain",)).get_content().splitlines()
                if "/invitations/" in line).strip()
    path = link[link.index("/invitations/"):]

    client.post("/logout")
    page = Page(client.get(path + "?lang=en"))
    assert "Create an account" in page.text("main")
    signup = client.post(f"/signup?next={path}", data={
        "name": "Huda", "email": "owner@jeddah-fit.sa", "password": "jeddah-fit-owner"})
    assert signup.status_code == 303  # to sign in: a sign-up never signs in
    signed_in = client.post(f"/login?next={path}", data={
        "email": "owner@jeddah-fit.sa", "password": "jeddah-fit-owner"})
    assert signed_in.status_code == 303 and signed_in.location == path
    response = client.post(path)
    assert response.status_code == 303
    owner = db.session.scalar(select(StaffRole).where(StaffRole.studio_id == studio.id))
    assert owner.role == Role.OWNER and owner.user.email == "owner@jeddah-fit.sa"
    assert client.get(f"/manage/{studio.slug}/").status_code == 200

    again = client.post(path + "?lang=en")
    assert again.status_code == 410 and "already accepted" in Page(again).text("main")
    actions = set(db.session.scalars(select(AuditEvent.action)
                                     .where(AuditEvent.studio_id == studio.id)))
    assert {"studio.started", "staff.invited", "staff.joined"} <= actions


def test_an_invitation_is_for_its_address_and_expires(client, app):
    studio = StudioFactory()
    from app.studios.services.operating import invite
    invitation = invite(studio, "coach@example.test", Role.TRAINER, actor=None)
    someone = UserFactory()
    login(client, someone)
    path = f"/invitations/{invitation_token(invitation)}"
    response = client.post(path + "?lang=en")
    assert response.status_code == 403 and "coach@example.test" in Page(response).text("main")
    assert role_of(someone, studio) is None

    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    assert client.get(path).status_code == 410
    assert client.get(path[:-3] + "abc").status_code == 410  # a forged signature
    assert db.session.get(Invitation, invitation.id).accepted_at is None


def test_only_the_operator_suspends_and_a_suspended_studio_sells_and_books_nothing(
        client, app, operator):
    studio = StudioFactory()
    manager = staff(studio, Role.STUDIO_ADMIN)
    cls = ClassFactory(studio=studio)
    plan = PlanFactory(studio=studio)
    assert client.post(f"/operator/studios/{studio.id}/suspend").status_code == 303
    db.session.refresh(studio)
    assert studio.suspended_at is not None

    customer = UserFactory()
    login(client, customer)
    week = Page(client.get(f"/s/{studio.slug}/schedule?lang=ar"))
    assert "مغلق حاليًا" in week.text(".studio-closed")
    response = client.post(f"/s/{studio.slug}/classes/{cls.id}/book?lang=en",
                           headers={"HX-Request": "true"})
    assert response.status_code == 423 and "closed for now" in response.get_data(as_text=True)
    response = client.post(f"/s/{studio.slug}/plans/{plan.id}/buy")
    assert response.status_code == 303
    for model in (Booking, Order):
        assert db.session.scalar(select(func.count()).select_from(model)
                                 .where(model.studio_id == studio.id)) == 0
    assert client.post(f"/operator/studios/{studio.id}/resume").status_code == 404  # not theirs

    login(client, manager)  # staff still sign in and see their data
    assert client.get(f"/manage/{studio.slug}/").status_code == 200
    assert client.get(f"/manage/{studio.slug}/classes/{cls.id}").status_code == 200

    login(client, operator)
    assert client.post(f"/operator/studios/{studio.id}/resume").status_code == 303
    login(client, customer)
    response = client.post(f"/s/{studio.slug}/classes/{cls.id}/book",
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    actions = list(db.session.scalars(select(AuditEvent.action)
                                      .where(AuditEvent.studio_id == studio.id)
                                      .order_by(AuditEvent.id)))
    assert actions == ["studio.suspended", "studio.resumed"]


def test_every_way_to_book_or_buy_asks_the_one_policy(app):
    studio = StudioFactory()
    customer, cls = UserFactory(), ClassFactory(studio=studio)
    suspend_studio(studio, actor=None)
    with pytest.raises(StudioSuspended):
        bookings.book_class(studio, cls, customer, actor=customer)
    with pytest.raises(StudioSuspended):  # staff booking a walk-in too
        bookings.book_class(studio, cls, customer, actor=customer, staff=True)
    with pytest.raises(StudioSuspended):
        place_order(studio, PlanFactory(studio=studio), customer, actor=customer)
    assert StudioSuspended.status == 423
