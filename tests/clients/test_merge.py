"""Likely duplicate accounts and their merge: the studio's own customers only, with why they
match; a merge moves everything the studio holds of one account to the other in one
transaction, refuses two bookings in one class, is audited, and leaves other studios alone."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.billing.models import Invoice, Order
from app.bookings.models import Booking, BookingStatus
from app.bookings.services import book_class
from app.clients.services import add_note
from app.core.db import utcnow
from app.extensions import db
from app.memberships.models import Pass
from app.memberships.services import balances
from app.studios.models import Role, StudioCustomer
from app.studios.services import ensure_customer
from app.training.models import TrainingSession
from tests.conftest import login
from tests.factories import ClassFactory, StudioFactory, UserFactory, paid_order, staff
from tests.pages import Page


def customer(studio, name, phone="", **fields):
    user = UserFactory(name=name)
    ensure_customer(studio, user)
    link = db.session.scalar(select(StudioCustomer).where(
        StudioCustomer.studio_id == studio.id, StudioCustomer.user_id == user.id))
    link.phone = phone
    for key, value in fields.items():
        setattr(link, key, value)
    db.session.flush()
    return user


@pytest.fixture
def m(app, client):
    a, b = StudioFactory(), StudioFactory()
    admin = staff(a, Role.STUDIO_ADMIN)
    keep = customer(a, "Sara Haddad", phone="+966 55 123 4567")
    drop = customer(a, "Sarah Hadad", phone="0096655 123 4567".replace("00", "", 1),
                    emergency_contact="Omar 0501112222")
    ensure_customer(b, drop)  # the same account is studio B's customer too
    other = customer(b, "Sara B", phone="+966 55 123 4567")
    login(client, admin)
    return dict(a=a, b=b, admin=admin, keep=keep, drop=drop, other=other)


def merge(client, m, keep=None, drop=None, confirm="y"):
    data = {"keep_id": (keep or m["keep"]).id, "drop_id": (drop or m["drop"]).id}
    if confirm:
        data["confirm"] = confirm
    return client.post(f"/manage/{m['a'].slug}/customers/merge", data=data)


def test_the_duplicates_page_shows_the_studios_own_pairs_and_why(client, m):
    page = Page(client.get(f"/manage/{m['a'].slug}/customers/duplicates"))
    (pair,) = page.all(".duplicate-pair")
    assert "same phone" in "".join(pair.itertext())
    names = {e.text for e in page.all(".duplicate-pair .customer-name")}
    assert names == {"Sara Haddad", "Sarah Hadad"}  # studio B's Sara B never shown


def test_a_merge_moves_everything_the_studio_holds_and_is_audited(client, m):
    a, keep, drop = m["a"], m["keep"], m["drop"]
    order, _payment, invoice = paid_order(a, drop)
    booking = book_class(a, ClassFactory(studio=a), drop, actor=drop)
    add_note(a, drop, "Knee injury in 2025", actor=m["admin"])
    db.session.add(TrainingSession(studio_id=a.id, client_id=drop.id, started_at=utcnow()))
    theirs = paid_order(m["b"], drop)[0]  # studio B's order stays with the account
    db.session.flush()
    response = merge(client, m)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/customers/{keep.id}")
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).customer_id == keep.id
    assert db.session.get(Order, order.id).customer_id == keep.id
    assert db.session.get(Invoice, invoice.id).customer_id == keep.id
    passes = db.session.scalars(select(Pass).where(Pass.studio_id == a.id)).all()
    assert {p.customer_id for p in passes} == {keep.id}
    assert sum(balances([p.id for p in passes]).values()) == 10  # its ledger came along
    assert db.session.get(Order, theirs.id).customer_id == drop.id
    links = db.session.scalars(select(StudioCustomer).where(StudioCustomer.studio_id == a.id)
                               ).all()
    assert drop.id not in {link.user_id for link in links}
    kept = next(link for link in links if link.user_id == keep.id)
    assert kept.emergency_contact == "Omar 0501112222"  # filled from the other record
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "customer.merged",
                                                       AuditEvent.studio_id == a.id))
    assert event.actor_id == m["admin"].id and event.data["dropped_user_id"] == drop.id
    assert event.data["moved"] == {"bookings": 1, "passes": 1, "orders": 1, "invoices": 1,
                                   "notes": 1, "workouts": 1}
    page = Page(client.get(f"/manage/{a.slug}/customers/{keep.id}"))
    assert "Knee injury in 2025" in page.text()
    assert client.get(f"/manage/{a.slug}/customers/{drop.id}").status_code == 404


def test_both_booked_in_one_class_is_refused_and_nothing_moves(client, m):
    cls = ClassFactory(studio=m["a"])
    book_class(m["a"], cls, m["keep"], actor=m["keep"])
    theirs = book_class(m["a"], cls, m["drop"], actor=m["drop"])
    response = merge(client, m)
    assert response.status_code == 409
    assert "Both accounts are booked into" in Page(response).text(".alert")
    db.session.expire_all()
    assert db.session.get(Booking, theirs.id).customer_id == m["drop"].id
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "customer.merged", AuditEvent.studio_id == m["a"].id)) is None


def test_a_cancelled_booking_in_the_same_class_does_not_stop_a_merge(client, m):
    from app.bookings.services import cancel_booking

    cls = ClassFactory(studio=m["a"], hours_ahead=72)
    book_class(m["a"], cls, m["keep"], actor=m["keep"])
    cancel_booking(m["a"], book_class(m["a"], cls, m["drop"], actor=m["drop"]),
                   actor=m["drop"])
    assert merge(client, m).status_code == 303
    statuses = db.session.scalars(select(Booking.status).where(Booking.class_id == cls.id,
                                                               Booking.customer_id ==
                                                               m["keep"].id)).all()
    assert sorted(statuses) == sorted([BookingStatus.CONFIRMED, BookingStatus.CANCELLED])


@pytest.mark.parametrize("case", ["no confirm", "same", "bad id"])
def test_bad_input_is_a_422_and_nothing_moves(client, m, case):
    if case == "no confirm":
        response = merge(client, m, confirm=None)
    elif case == "same":
        response = merge(client, m, drop=m["keep"])
    else:
        response = client.post(f"/manage/{m['a'].slug}/customers/merge",
                               data={"keep_id": "x", "drop_id": m["drop"].id, "confirm": "y"})
    assert response.status_code == 422
    assert db.session.scalar(select(StudioCustomer).where(
        StudioCustomer.studio_id == m["a"].id, StudioCustomer.user_id == m["drop"].id))


def test_another_studios_customer_is_a_404(client, m):
    assert merge(client, m, drop=m["other"]).status_code == 404
    assert merge(client, m, keep=m["other"]).status_code == 404


def test_a_trainer_sees_no_duplicates(client, m):
    login(client, staff(m["a"], Role.TRAINER))
    assert client.get(f"/manage/{m['a'].slug}/customers/duplicates").status_code == 404
    assert merge(client, m).status_code == 404
