"""Attendance by time of day, waitlist demand and money owed at the desk: known classes and
orders, every figure checked in the CSV (and the page's links to who owes)."""

from datetime import timedelta

import pytest

from app.billing.models import Order, OrderStatus, Payment, PaymentMethod, PaymentMethodKind
from app.bookings.models import Booking, BookingStatus, CancelReason
from app.core.db import utcnow
from app.extensions import db
from app.studios.models import Role
from tests.conftest import login
from tests.factories import (
    ClassTypeFactory,
    LocationFactory,
    StudioFactory,
    UserFactory,
    staff,
)
from tests.reports.test_reports import PERIOD, _book, _class, _csv, utc

S = BookingStatus


@pytest.fixture
def week(app):
    """Toronto (UTC-5 in November): classes at 07:00, 12:30 and 17:00 local time."""
    studio = StudioFactory(slug="slots")
    owner = staff(studio, Role.OWNER, name="Owner")
    yoga = ClassTypeFactory(studio=studio, name={"en": "Yoga", "ar": "يوغا"})
    spin = ClassTypeFactory(studio=studio, name={"en": "Spin", "ar": "دراجات"})
    people = [UserFactory(name=f"P{n}") for n in range(8)]
    morning = _class(studio, yoga, utc(2026, 11, 3, 12), capacity=2)  # 07:00, full
    _book(morning, people[0], S.ATTENDED)
    _book(morning, people[1], S.NO_SHOW)
    _book(morning, people[2], S.WAITLISTED)
    _book(morning, people[3], S.WAITLISTED)
    midday = _class(studio, yoga, utc(2026, 11, 4, 17, 30), capacity=3)  # 12:30, not full
    _book(midday, people[0], S.ATTENDED)
    _book(midday, people[4], S.LATE_CANCELLED)
    # 16:59 would be midday; 17:00 is evening: a full spin class with a lapsed offer.
    evening = _class(studio, spin, utc(2026, 11, 5, 22), capacity=1)
    _book(evening, people[5], S.ATTENDED)
    db.session.add(Booking(studio_id=studio.id, class_id=evening.id, customer_id=people[6].id,
                           status=S.CANCELLED, cancel_reason=CancelReason.OFFER_EXPIRED))
    db.session.add(Booking(studio_id=studio.id, class_id=evening.id, customer_id=people[7].id,
                           status=S.CANCELLED, cancel_reason=CancelReason.CUSTOMER))
    db.session.flush()
    return {"studio": studio, "owner": owner}


def _get(client, slug, name, **args):
    return _csv(client.get(f"/manage/{slug}/reports/{name}.csv",
                           query_string={**PERIOD, **args}))


def test_attendance_by_time_of_day(client, week):
    login(client, week["owner"])
    assert _get(client, "slots", "attendance-slots") == [
        ["Time of day", "Bookings", "Check-ins", "No-shows", "Late cancels"],
        ["Morning (before 12:00)", "2", "1", "1", "0"],
        ["Midday (12:00–16:59)", "2", "1", "0", "1"],
        ["Evening (from 17:00)", "1", "1", "0", "0"]]


def test_waitlist_demand_per_class_type(client, week):
    login(client, week["owner"])
    assert _get(client, "slots", "waitlist") == [
        ["Class type", "Classes", "Full classes", "Never left the waitlist",
         "Offers not claimed", "Turned away"],
        ["Spin", "1", "1", "0", "1", "1"],
        ["Yoga", "2", "1", "2", "0", "2"]]
    html = client.get("/manage/slots/reports", query_string=PERIOD).get_data(as_text=True)
    assert "2 full classes" in html and "3 people turned away" in html
    assert 'id="chart-time-slots"' in html and 'id="chart-waitlist"' in html


def _desk_order(studio, customer, location, gross, days_ago, *, paid=0, status=None,
                kind=PaymentMethodKind.AT_STUDIO):
    order = Order(studio_id=studio.id, customer_id=customer.id, status=status
                  or OrderStatus.AWAITING_PAYMENT, currency=location.currency,
                  description={"en": "Pack"}, unit_minor=gross, net_minor=gross, tax_minor=0,
                  gross_minor=gross, taxes=[], prices_include_tax=True,
                  payment_method_kind=kind, location_id=location.id,
                  created_at=utcnow() - timedelta(days=days_ago, hours=1))
    db.session.add(order)
    db.session.flush()
    if paid:
        db.session.add(Payment(studio_id=studio.id, order_id=order.id, amount_minor=paid,
                               currency=order.currency, method=PaymentMethod.CASH,
                               received_at=utcnow()))
        db.session.flush()
    return order


@pytest.fixture
def owing(app):
    studio = StudioFactory(slug="owing")
    toronto = studio.default_location
    riyadh = LocationFactory(studio=studio, name={"en": "Riyadh", "ar": "الرياض"},
                             timezone="Asia/Riyadh", currency="SAR", tax_jurisdiction="SA")
    owner = staff(studio, Role.OWNER)
    amy, bob, cat = (UserFactory(name=n) for n in ("Amy", "Bob", "Cat"))
    _desk_order(studio, amy, toronto, 5000, 2)
    _desk_order(studio, amy, toronto, 3000, 20, paid=1000)  # 20.00 left
    _desk_order(studio, bob, toronto, 7000, 45)
    _desk_order(studio, bob, toronto, 9000, 90)
    _desk_order(studio, cat, riyadh, 11500, 10)
    # Not owed at the desk: paid, cancelled, a card checkout.
    _desk_order(studio, cat, toronto, 4000, 5, status=OrderStatus.PAID)
    _desk_order(studio, cat, toronto, 4000, 5, status=OrderStatus.CANCELLED)
    _desk_order(studio, cat, toronto, 4000, 5, kind=PaymentMethodKind.CARD)
    return {"studio": studio, "owner": owner, "amy": amy, "riyadh": riyadh}


def test_money_owed_by_age_per_currency(client, owing):
    login(client, owing["owner"])
    assert _get(client, "owing", "owed") == [
        ["Currency", "0–7 days", "8–30 days", "31–60 days", "Over 60 days", "Total owed"],
        ["CAD", "50.00", "20.00", "70.00", "90.00", "230.00"],
        ["SAR", "0.00", "115.00", "0.00", "0.00", "115.00"]]
    assert _get(client, "owing", "owed-customers") == [
        ["Customer", "Currency", "Unpaid orders", "Oldest (days)", "0–7 days", "8–30 days",
         "31–60 days", "Over 60 days", "Total owed"],
        ["Bob", "CAD", "2", "90", "0.00", "0.00", "70.00", "90.00", "160.00"],
        ["Amy", "CAD", "2", "20", "50.00", "20.00", "0.00", "0.00", "70.00"],
        ["Cat", "SAR", "1", "10", "0.00", "115.00", "0.00", "0.00", "115.00"]]
    rows = _get(client, "owing", "owed", location=owing["riyadh"].id)
    assert [r[0] for r in rows[1:]] == ["SAR"]
    html = client.get("/manage/owing/reports", query_string=PERIOD).get_data(as_text=True)
    assert f'href="/manage/owing/customers/{owing["amy"].id}"><bdi>Amy</bdi></a>' in html
    assert html.count('<canvas id="chart-owed-') == 2
