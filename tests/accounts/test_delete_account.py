"""A person deletes their own account from /me/security: re-authentication first, a typed
word, then the account is anonymised (never removed: orders, invoices and the audit log point
at it), their bookings ahead cancelled with the credit back, every session ended, a goodbye
mailed; a studio's only owner is refused until they hand it over."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.accounts.factors.models import Passkey, RecoveryCode, TotpSecret
from app.accounts.models import AuthSession, User
from app.appointments.models import Appointment, AppointmentStatus, Availability, CoachProfile
from app.appointments.services import book_appointment
from app.audit.models import AuditEvent
from app.billing.models import Invoice, Order, OrderStatus
from app.billing.services.orders import place_order
from app.bookings import services as bookings
from app.bookings.models import Booking, BookingStatus
from app.calendars.models import CalendarConnection, CalendarFeed
from app.calendars.services.feeds import new_feed_secret
from app.clients.models import ClientNote
from app.core.db import utcnow
from app.core.mail import read_mailbox
from app.extensions import db
from app.memberships.models import Pass
from app.memberships.services import balances
from app.notifications.models import NotificationPreference, PushSubscription
from app.studios.models import Role, StaffRole, StudioCustomer
from app.studios.services import ensure_customer
from app.training.models import TrainingSession
from tests.accounts.test_reauth import go_stale
from tests.appointments.helpers import coach_with_hours, session_type
from tests.conftest import login
from tests.factories import (
    ClassFactory,
    PlanFactory,
    StudioFactory,
    UserFactory,
    paid_order,
    staff,
)
from tests.pages import Page

GONE = "Your account is deleted and you are signed out everywhere."


def reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def credits_left(who, studio) -> int:
    ids = list(db.session.scalars(select(Pass.id).where(Pass.customer_id == who.id,
                                                        Pass.studio_id == studio.id)))
    return sum(balances(ids).values())


def orders_of(who) -> int:
    return db.session.scalar(select(func.count()).select_from(Order)
                             .where(Order.customer_id == who.id))


def audit_of(user: User, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.subject == f"user:{user.id}")))


def delete(client, word="DELETE", **headers):
    return client.post("/me/security/delete", data={"confirm": word}, headers=headers)


@pytest.fixture
def w(app, client):
    """Nora (English) is a customer of a studio that forgives nothing: a 10-class pack, a class
    tomorrow where she holds the only spot and Omar waits, a class in two hours (inside the
    cutoff: late), a waitlist place, an issued invoice, a note and tags about her, a training
    session, a calendar feed, a second step and push and notification settings."""
    studio = StudioFactory(booking_requires_pass=True, late_cancel_fee_minor=500)
    owner = staff(studio, Role.OWNER)
    nora, omar, third = (UserFactory(name="Nora Saleh"), UserFactory(name="Omar"),
                         UserFactory(name="Third"))
    for person in (nora, omar, third):
        ensure_customer(studio, person)
    _order, _payment, invoice = paid_order(studio, nora, rendered=True)
    paid_order(studio, omar)
    paid_order(studio, third)
    full = ClassFactory(studio=studio, capacity=1)
    soon = ClassFactory(studio=studio, hours_ahead=2)
    crowded = ClassFactory(studio=studio, capacity=1, hours_ahead=30)
    booked = bookings.book_class(studio, full, nora, actor=nora)
    waiting = bookings.book_class(studio, full, omar, actor=omar)
    late = bookings.book_class(studio, soon, nora, actor=nora)
    bookings.book_class(studio, crowded, third, actor=third)
    queued = bookings.book_class(studio, crowded, nora, actor=nora)
    record = db.session.scalar(select(StudioCustomer).where(
        StudioCustomer.studio_id == studio.id, StudioCustomer.user_id == nora.id))
    record.phone, record.emergency_contact, record.tags = "+1 416 555 0101", "Sami 555", ["vip"]
    db.session.add_all([
        ClientNote(studio_id=studio.id, customer_id=nora.id, author_id=owner.id,
                   body="Knee injury in 2025"),
        TrainingSession(studio_id=studio.id, client_id=nora.id, started_at=utcnow()),
        TotpSecret(user_id=nora.id, secret="JBSWY3DPEHPK3PXP"),
        Passkey(user_id=nora.id, name="Phone", credential_id=b"nora-credential",
                user_handle=b"handle", public_key=b"key"),
        CalendarConnection(user_id=nora.id, url="https://dav.example/nora/", username="nora",
                           password="app-password"),
        RecoveryCode(user_id=nora.id, code_hash="x" * 64),
        NotificationPreference(user_id=nora.id, phone="+14165550101"),
        PushSubscription(user_id=nora.id, endpoint="https://push.example/nora", p256dh="k",
                         auth="a"),
    ])
    new_feed_secret(nora, actor=nora)
    db.session.flush()
    assert (booked.status, waiting.status, queued.status) == ("confirmed", "waitlisted",
                                                              "waitlisted")
    assert credits_left(nora, studio) == 8
    return dict(studio=studio, owner=owner, nora=nora, omar=omar, invoice=invoice, full=full,
                booked=booked, waiting=waiting, late=late, queued=queued,
                snapshot=dict(invoice.snapshot), pdf=invoice.pdf_sha256,
                credits=credits_left(nora, studio), email=nora.email)


def test_the_page_is_behind_re_authentication(client, w):
    login(client, w["nora"])
    go_stale(client)
    asked = client.get("/me/security/delete")
    assert asked.status_code == 303 and "/reauth" in asked.headers["Location"]
    assert "why=delete" in asked.headers["Location"]
    posted = delete(client)
    assert posted.status_code == 303 and "/reauth" in posted.headers["Location"]
    assert reload(w["nora"]).deleted_at is None
    reauth = client.get(asked.headers["Location"])
    assert "You are about to delete an account." in Page(reauth).text("main")


def test_security_page_leads_to_a_page_that_says_what_happens(client, w):
    login(client, w["nora"])
    security = Page(client.get("/me/security"))
    assert "/me/security/delete" in [a.get("href") for a in security.all("a")]
    page = client.get("/me/security/delete")
    assert page.status_code == 200
    text = Page(page).text("main")
    for said in ("cannot be undone", "are cancelled", "Invoices already issued are kept",
                 "training history", "Type “DELETE” to confirm"):
        assert said in text
    arabic = Page(client.get("/me/security/delete?lang=ar")).text("main")
    assert "حذف" in arabic and "لا يمكن التراجع" in arabic


@pytest.mark.parametrize("word", ["", "delet", "yes", "DELETE" * 10])
def test_a_wrong_or_missing_word_changes_nothing(client, w, word):
    login(client, w["nora"])
    refused = delete(client, word)
    assert refused.status_code == 422
    assert "Type “DELETE” to confirm, exactly as shown." in Page(refused).text("main")
    nora = reload(w["nora"])
    assert (nora.deleted_at, nora.name, nora.email) == (None, "Nora Saleh", w["email"])
    assert db.session.get(Booking, w["booked"].id).status == BookingStatus.CONFIRMED


def test_without_the_csrf_token_nothing_happens(app, client, w):
    login(client, w["nora"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert delete(client).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert reload(w["nora"]).deleted_at is None


def test_a_wrong_word_in_htmx_answers_the_form_fragment(client, w):
    login(client, w["nora"])
    refused = delete(client, "nope", **{"HX-Request": "true"})
    assert refused.status_code == 422 and "HX-Request" in refused.headers["Vary"]
    page = Page(refused)
    assert page.ids("section") == ["delete-form"] and not page.all("h1")


def test_the_arabic_word_confirms_on_an_arabic_page(client, w, run_jobs):
    login(client, w["nora"])
    refused = client.post("/me/security/delete?lang=ar", data={"confirm": "نعم"})
    assert refused.status_code == 422 and "اكتب" in Page(refused).text("main")
    done = client.post("/me/security/delete?lang=ar", data={"confirm": " حذف "})
    assert done.status_code == 303
    assert reload(w["nora"]).deleted_at is not None
    assert "حُذف حسابك" in Page(client.get("/")).text("main")
    run_jobs()  # no language on her profile: the goodbye is in the one she was reading
    goodbye = [m for m in read_mailbox() if m["To"] == w["email"]]
    assert [m["Subject"] for m in goodbye][-1] == "حُذف حسابك في FitFlow"


def test_the_whole_deletion(app, client, w, run_jobs):
    nora, studio = w["nora"], w["studio"]
    elsewhere = app.test_client()
    login(elsewhere, nora)
    login(client, nora)
    assert db.session.scalar(select(func.count()).select_from(AuthSession)
                             .where(AuthSession.user_id == nora.id)) == 2
    spent = w["credits"]
    orders = orders_of(nora)

    done = delete(client, " delete ")
    assert done.status_code == 303 and done.headers["Location"] == "/"
    assert GONE in Page(client.get("/")).text("main")
    # Both devices are signed out: this one, and a copy of the other's cookie.
    assert client.get("/me/bookings").status_code in (302, 303)
    assert elsewhere.get("/me/bookings").status_code in (302, 303)

    nora = reload(nora)
    assert nora.deleted_at is not None
    assert nora.name == "Deleted member" and nora.email == f"deleted-{nora.id}@invalid"
    assert (nora.password_hash, nora.email_verified_at, nora.timezone) == (None, None, None)
    for model in (AuthSession, Passkey, TotpSecret, RecoveryCode, NotificationPreference,
                  PushSubscription, CalendarFeed, CalendarConnection, StudioCustomer,
                  TrainingSession):
        assert not db.session.scalars(select(model).where(
            getattr(model, "client_id", getattr(model, "user_id", None)) == nora.id)).all()
    assert not db.session.scalars(select(ClientNote)
                                  .where(ClientNote.customer_id == nora.id)).all()

    # Bookings ahead cancelled in time (the late one too: no fee), credits back, Omar promoted.
    for key in ("booked", "late", "queued"):
        assert db.session.get(Booking, w[key].id).status == BookingStatus.CANCELLED
    assert db.session.get(Booking, w["waiting"].id).status == BookingStatus.CONFIRMED
    assert credits_left(nora, studio) == spent + 2
    assert orders_of(nora) == orders  # no late-cancel fee

    invoice = db.session.get(Invoice, w["invoice"].id)  # kept exactly as issued
    assert invoice.snapshot == w["snapshot"] and invoice.pdf_sha256 == w["pdf"]
    assert invoice.snapshot["customer"]["name"] == "Nora Saleh"

    (event,) = audit_of(nora, "account_deleted")
    assert event.actor_id == nora.id
    assert "Nora" not in str(event.data) and w["email"] not in str(event.data)

    run_jobs()
    goodbye = [m for m in read_mailbox() if m["To"] == w["email"]]
    assert [m["Subject"] for m in goodbye][-1] == "Your FitFlow account is deleted"
    assert not [m for m in read_mailbox() if m["To"] == nora.email]  # nothing to @invalid


def test_signing_in_with_the_old_address_fails_like_an_unknown_one(client, w):
    login(client, w["nora"])
    delete(client)
    client.get("/")  # the goodbye flash
    refused = client.post("/login", data={"email": w["email"], "password": "secret-pass"})
    unknown = client.post("/login", data={"email": "nobody-here@example.com",
                                          "password": "secret-pass"})
    assert refused.status_code == unknown.status_code == 422
    assert Page(refused).text("main") == Page(unknown).text("main")


def test_the_old_address_signs_up_again_as_a_new_account(client, w, run_jobs):
    login(client, w["nora"])
    delete(client)
    signed_up = client.post("/signup", data={"name": "Nora Again", "email": w["email"],
                                             "password": "a new long passphrase"})
    assert signed_up.status_code == 303
    again = db.session.scalar(select(User).where(User.email == w["email"]))
    assert again is not None and again.id != w["nora"].id and again.deleted_at is None
    run_jobs()
    assert any(m["Subject"] for m in read_mailbox() if m["To"] == w["email"]
               and "confirm" in m["Subject"].lower())


def test_the_desk_no_longer_lists_them_and_history_shows_the_label(client, w):
    past = ClassFactory(studio=w["studio"], hours_ahead=-48)
    db.session.add(Booking(studio_id=w["studio"].id, class_id=past.id,
                           customer_id=w["nora"].id, status=BookingStatus.ATTENDED))
    db.session.flush()
    login(client, w["nora"])
    delete(client)
    client.post("/logout")
    login(client, w["owner"])
    listed = Page(client.get(f"/manage/{w['studio'].slug}/customers")).text("main")
    assert "Nora" not in listed and "Deleted member" not in listed and "Omar" in listed
    assert client.get(f"/manage/{w['studio'].slug}/customers/{w['nora'].id}").status_code == 404
    roster = Page(client.get(f"/manage/{w['studio'].slug}/classes/{w['full'].id}")).text("main")
    assert "Nora" not in roster and "Omar" in roster  # her place went to Omar
    history = Page(client.get(f"/manage/{w['studio'].slug}/classes/{past.id}"))
    assert "Deleted member" in history.text("#class-roster")
    assert "Nora" not in history.text("main") and "@invalid" not in history.text("main")
    arabic = Page(client.get(f"/manage/{w['studio'].slug}/classes/{past.id}?lang=ar"))
    assert "عضو محذوف" in arabic.text("#class-roster")
    orders = Page(client.get(f"/manage/{w['studio'].slug}/orders?lang=en")).text("main")
    assert "Deleted member" in orders and "Nora" not in orders and "@invalid" not in orders


def test_a_studios_only_owner_is_refused_and_nothing_changes(client, w):
    owner = w["owner"]
    login(client, owner)
    refused = delete(client)
    assert refused.status_code == 409
    assert "You are the only owner of" in Page(refused).text("main")
    assert reload(owner).deleted_at is None
    assert db.session.scalar(select(StaffRole).where(StaffRole.user_id == owner.id))
    assert client.get("/me/bookings").status_code == 200  # still signed in

    second = staff(w["studio"], Role.OWNER)  # handed over: now it goes
    assert second.id
    assert delete(client).status_code == 303
    assert reload(owner).deleted_at is not None
    assert not db.session.scalar(select(StaffRole).where(StaffRole.user_id == owner.id))


def test_the_last_operator_is_refused(client, w):
    operator = UserFactory(is_operator=True)
    others = db.session.scalars(select(User).where(User.is_operator.is_(True),
                                                   User.id != operator.id)).all()
    for other in others:  # rows other tests committed
        other.is_operator = False
    db.session.flush()
    login(client, operator)
    refused = delete(client)
    assert refused.status_code == 409 and "last operator" in Page(refused).text("main")
    assert reload(operator).deleted_at is None


def test_a_1_1_session_ahead_is_cancelled_in_time(client, w):
    studio, nora = w["studio"], w["nora"]
    studio.booking_opens_days = 14
    coach = coach_with_hours(studio, starts=time(7), ends=time(10))
    zone = ZoneInfo(studio.default_location.timezone)
    tomorrow = (datetime.now(zone) + timedelta(days=2)).date()
    at = datetime.combine(tomorrow, time(7), tzinfo=zone)
    session = book_appointment(studio, coach, nora, session_type(studio), at, actor=nora)
    login(client, nora)
    assert delete(client).status_code == 303
    db.session.expire_all()
    assert db.session.get(Appointment, session.id).status == AppointmentStatus.CANCELLED


def test_money_owed_at_the_desk_does_not_block_and_the_order_stays(client, w):
    owed = place_order(w["studio"], PlanFactory(studio=w["studio"], currency="CAD"), w["nora"],
                       actor=w["nora"])
    assert owed.status == OrderStatus.AWAITING_PAYMENT
    login(client, w["nora"])
    assert delete(client).status_code == 303
    db.session.expire_all()
    kept = db.session.get(Order, owed.id)
    assert (kept.status, kept.customer_id) == (OrderStatus.AWAITING_PAYMENT, w["nora"].id)


def test_a_coach_leaving_cancels_the_sessions_they_coach_and_their_profile_goes(client, w):
    studio, omar = w["studio"], w["omar"]
    studio.booking_opens_days = 14
    coach = coach_with_hours(studio, starts=time(7), ends=time(10))
    db.session.add(CoachProfile(studio_id=studio.id, coach_id=coach.id,
                                bio={"en": "Ten years of lifting."}))
    zone = ZoneInfo(studio.default_location.timezone)
    at = datetime.combine((datetime.now(zone) + timedelta(days=2)).date(), time(8), tzinfo=zone)
    session = book_appointment(studio, coach, omar, session_type(studio), at, actor=omar)
    login(client, coach)
    assert delete(client).status_code == 303
    db.session.expire_all()
    assert db.session.get(Appointment, session.id).status == AppointmentStatus.CANCELLED
    for model in (CoachProfile, Availability, StaffRole):
        column = getattr(model, "coach_id", getattr(model, "user_id", None))
        assert not db.session.scalars(select(model).where(column == coach.id)).all()
