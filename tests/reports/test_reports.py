"""The studio's reports: known bookings and sales in a week, every figure checked on the page
and in the CSV (local days of each location, currencies apart, taxes per jurisdiction and
rate), 422 on a bad period, a foreign studio's reports a 404."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from app.billing.models import (
    DocumentKind,
    Invoice,
    Order,
    OrderStatus,
    Payment,
    PaymentMethod,
    Refund,
)
from app.bookings.models import Booking, BookingStatus
from app.extensions import db
from app.memberships.models import PlanKind
from app.schedule.models import ClassStatus
from app.studios.models import Role
from tests.conftest import login
from tests.factories import (
    ClassFactory,
    ClassTypeFactory,
    LocationFactory,
    PlanFactory,
    StudioFactory,
    UserFactory,
    staff,
)

S = BookingStatus
PERIOD = {"start": "2026-11-02", "end": "2026-11-08"}  # Monday to Sunday


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def _class(studio, ctype, starts, *, capacity, coach=None, location=None, **kw):
    return ClassFactory(studio=studio, class_type_id=ctype.id, starts_at=starts,
                        ends_at=starts + timedelta(minutes=45),
                        capacity=capacity, coach_id=coach.id if coach else None,
                        location_id=location.id if location else studio.default_location_id,
                        **kw)


def _book(cls, customer, status):
    db.session.add(Booking(studio_id=cls.studio_id, class_id=cls.id, customer_id=customer.id,
                           status=status))
    db.session.flush()


def _order(studio, plan, customer, location, *, net, tax, code, rate, paid_at,
           status=OrderStatus.PAID):
    order = Order(studio_id=studio.id, customer_id=customer.id, plan_id=plan.id, status=status,
                  currency=plan.currency, description=plan.name, unit_minor=net + tax,
                  net_minor=net, tax_minor=tax, gross_minor=net + tax,
                  taxes=[{"code": code, "name": {"en": code, "ar": code}, "rate": rate,
                          "amount_minor": tax}],
                  prices_include_tax=True, paid_at=paid_at, location_id=location.id)
    db.session.add(order)
    db.session.flush()
    return order


def _pay(order, method, at):
    payment = Payment(studio_id=order.studio_id, order_id=order.id, amount_minor=order.gross_minor,
                      currency=order.currency, method=method, received_at=at)
    db.session.add(payment)
    db.session.flush()
    return payment


@pytest.fixture
def books(app):
    """A Toronto studio (CAD, Ontario HST) with a Riyadh location (SAR, Saudi VAT)."""
    studio = StudioFactory(slug="northside", location__tax_jurisdiction="CA-ON")
    toronto = studio.default_location
    riyadh = LocationFactory(studio=studio, name={"en": "Riyadh", "ar": "الرياض"},
                             timezone="Asia/Riyadh", currency="SAR", tax_jurisdiction="SA")
    owner = staff(studio, Role.OWNER, name="Owner")
    coach = staff(studio, Role.TRAINER, name="Coach Hana")
    yoga = ClassTypeFactory(studio=studio, name={"en": "Yoga", "ar": "يوغا"})
    strength = ClassTypeFactory(studio=studio, name={"en": "Strength", "ar": "قوة"})
    c1, c2, c3, c4, c5 = (UserFactory(name=f"Customer {n}") for n in range(1, 6))

    # Before the period: c2's first visit.
    earlier = _class(studio, yoga, utc(2026, 10, 20, 22), capacity=4)
    _book(earlier, c2, S.ATTENDED)
    # Monday 18:00 in Toronto (23:00 UTC): 2 check-ins, a no-show, a late cancel, a cancel.
    monday = _class(studio, yoga, utc(2026, 11, 2, 23), capacity=4, coach=coach)
    _book(monday, c1, S.ATTENDED)
    _book(monday, c2, S.ATTENDED)
    _book(monday, c3, S.NO_SHOW)
    _book(monday, c4, S.LATE_CANCELLED)
    _book(monday, c5, S.CANCELLED)
    # Sunday 23:30 in Toronto is already Monday in UTC: still the period's last day.
    sunday = _class(studio, strength, utc(2026, 11, 9, 4, 30), capacity=2)
    _book(sunday, c3, S.ATTENDED)
    _book(sunday, c4, S.CONFIRMED)
    # Monday 00:30 in Toronto: after the period.
    after = _class(studio, strength, utc(2026, 11, 9, 5, 30), capacity=2)
    _book(after, c5, S.ATTENDED)
    # A cancelled class counts for nothing.
    cancelled = _class(studio, yoga, utc(2026, 11, 4, 23), capacity=4,
                       status=ClassStatus.CANCELLED)
    _book(cancelled, c5, S.CANCELLED)

    pack = PlanFactory(studio=studio, name={"en": "10-class pack", "ar": "باقة"},
                       kind=PlanKind.CLASS_PACK, currency="CAD")
    monthly = PlanFactory(studio=studio, name={"en": "Monthly", "ar": "شهري"},
                          kind=PlanKind.MEMBERSHIP, currency="CAD")
    drop_in = PlanFactory(studio=studio, name={"en": "Drop-in", "ar": "حصة"},
                          kind=PlanKind.DROP_IN, currency="SAR")
    o1 = _order(studio, pack, c1, toronto, net=20000, tax=2600, code="HST", rate="13",
                paid_at=utc(2026, 11, 3, 15))
    p1 = _pay(o1, PaymentMethod.CASH, utc(2026, 11, 3, 15))
    # Sunday 22:00 in Toronto.
    o2 = _order(studio, monthly, c2, toronto, net=10000, tax=1300, code="HST", rate="13",
                paid_at=utc(2026, 11, 9, 3))
    _pay(o2, PaymentMethod.CARD_TERMINAL, utc(2026, 11, 9, 3))
    # Monday 01:00 in Toronto: after the period.
    o3 = _order(studio, monthly, c3, toronto, net=10000, tax=1300, code="HST", rate="13",
                paid_at=utc(2026, 11, 9, 6))
    _pay(o3, PaymentMethod.CASH, utc(2026, 11, 9, 6))
    # Not paid: no sale.
    _order(studio, pack, c4, toronto, net=20000, tax=2600, code="HST", rate="13",
           paid_at=None, status=OrderStatus.AWAITING_PAYMENT)
    o5 = _order(studio, drop_in, c5, riyadh, net=5000, tax=750, code="VAT", rate="15",
                paid_at=utc(2026, 11, 4, 9))
    _pay(o5, PaymentMethod.STRIPE, utc(2026, 11, 4, 9))
    # Half of o1 given back, with its credit note.
    refund = Refund(studio_id=studio.id, payment_id=p1.id, amount_minor=11300)
    db.session.add(refund)
    db.session.flush()
    db.session.add(Invoice(
        studio_id=studio.id, kind=DocumentKind.CREDIT_NOTE, sequence=1, number="CN-1",
        order_id=o1.id, customer_id=c1.id, refund_id=refund.id, issued_at=utc(2026, 11, 6, 12),
        locale="en", gross_minor=11300, currency="CAD",
        snapshot={"totals": {"net_minor": 10000, "gross_minor": 11300, "taxes": [
            {"code": "HST", "name": {"en": "HST"}, "rate": "13", "amount_minor": 1300}]}}))
    refund.created_at = utc(2026, 11, 6, 12)
    db.session.flush()
    return {"studio": studio, "owner": owner, "yoga": yoga, "riyadh": riyadh}


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _get_csv(client, name, **args):
    return _csv(client.get(f"/manage/northside/reports/{name}.csv",
                           query_string={**PERIOD, **args}))


def test_attendance_by_class_type_and_coach(client, books):
    login(client, books["owner"])
    assert _get_csv(client, "attendance") == [
        ["Class type", "Bookings", "Check-ins", "No-shows", "Late cancels", "First visits"],
        ["Strength", "2", "1", "0", "0", "1"],
        ["Yoga", "4", "2", "1", "1", "1"]]
    assert _get_csv(client, "attendance-coaches") == [
        ["Coach", "Bookings", "Check-ins", "No-shows", "Late cancels"],
        ["Coach Hana", "4", "2", "1", "1"],
        ["No coach", "2", "1", "0", "0"]]
    # The class-type filter narrows every figure.
    rows = _get_csv(client, "attendance", class_type=books["yoga"].id)
    assert rows[1:] == [["Yoga", "4", "2", "1", "1", "1"]]


def test_utilisation_and_heat_map(client, books):
    login(client, books["owner"])
    assert _get_csv(client, "utilisation") == [
        ["Class type", "Classes", "Places", "Places taken", "Fill rate"],
        ["Strength", "1", "2", "2", "100.0"],
        ["Yoga", "1", "4", "3", "75.0"]]
    page = client.get("/manage/northside/reports", query_string=PERIOD)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # Monday 18:00 and Sunday 23:00, local time: 3 of 4 and 2 of 2 places.
    assert 'title="3 of 4 places">75%</td>' in html
    assert 'title="2 of 2 places">100%</td>' in html
    assert "<th scope=\"col\" class=\"num\">18:00</th>" in html
    assert "<th scope=\"col\" class=\"num\">23:00</th>" in html


def test_revenue_per_currency(client, books):
    login(client, books["owner"])
    assert _get_csv(client, "revenue") == [
        ["Currency", "Plan kind", "Plan", "Orders", "Net", "Tax", "Gross"],
        ["CAD", "Class packs", "10-class pack", "1", "200.00", "26.00", "226.00"],
        ["CAD", "Memberships", "Monthly", "1", "100.00", "13.00", "113.00"],
        ["SAR", "Drop-ins", "Drop-in", "1", "50.00", "7.50", "57.50"]]
    assert _get_csv(client, "payments") == [
        ["Currency", "Line", "Count", "Amount"],
        ["CAD", "Cash", "1", "226.00"],
        ["CAD", "Terminal", "1", "113.00"],
        ["CAD", "Refunds", "1", "-113.00"],
        ["CAD", "Credit notes issued", "1", "-113.00"],
        ["CAD", "Net received", "", "226.00"],
        ["SAR", "Card (online)", "1", "57.50"],
        ["SAR", "Net received", "", "57.50"]]
    # One location: only its currency.
    rows = _get_csv(client, "revenue", location=books["riyadh"].id)
    assert [r[0] for r in rows[1:]] == ["SAR"]


def test_taxes_per_jurisdiction_and_rate(client, books):
    login(client, books["owner"])
    assert _get_csv(client, "taxes") == [
        ["Currency", "Jurisdiction", "Tax", "Rate (%)", "Taxable amount", "Collected",
         "Given back", "Net tax"],
        ["CAD", "CA-ON", "HST", "13", "200.00", "39.00", "-13.00", "26.00"],
        ["SAR", "SA", "VAT", "15", "50.00", "7.50", "0.00", "7.50"]]


def test_page_shows_charts_and_tables(client, books):
    login(client, books["owner"])
    html = client.get("/manage/northside/reports", query_string=PERIOD).get_data(as_text=True)
    # attendance, time of day, fill rate, waitlist; sales and tax per currency; owed in CAD
    # (the unpaid order); memberships, cohorts, certificates.
    assert html.count("<canvas") == 4 + 2 + 2 + 1 + 3
    assert "vendor/chart-4.6.1.umd.min.js" in html and "js/reports.js" in html
    for total in ("6 bookings", "3 check-ins", "1 no-show<", "1 late cancel<", "2 first visits"):
        assert total in html
    for name in ("attendance", "attendance-coaches", "attendance-slots", "utilisation",
                 "waitlist", "revenue", "payments", "taxes", "owed", "owed-customers",
                 "memberships", "cohorts", "certificates"):
        assert f'id="table-{name}"' in html
        assert f"/manage/northside/reports/{name}.csv?" in html
    # Chart.js is loaded on this page only.
    other = client.get("/manage/northside/customers").get_data(as_text=True)
    assert "chart-4.6.1" not in other
    nav = client.get("/manage/northside/").get_data(as_text=True)
    assert 'href="/manage/northside/reports"' in nav


@pytest.mark.parametrize("args", [
    {"start": "2026-11-08", "end": "2026-11-02"},  # backwards
    {"start": "2025-01-01", "end": "2026-01-02"},  # over 366 days
    {"start": "not-a-date", "end": "2026-11-08"},
    {"start": "1900-01-01", "end": "1900-01-02"},
    {**PERIOD, "location": "2147483000"},
    {**PERIOD, "class_type": "abc"},
])
def test_bad_input_is_422(client, books, args):
    login(client, books["owner"])
    page = client.get("/manage/northside/reports", query_string=args)
    assert page.status_code == 422
    assert "<canvas" not in page.get_data(as_text=True)
    assert client.get("/manage/northside/reports/taxes.csv", query_string=args).status_code == 422


def test_bad_input_is_translated(client, books):
    login(client, books["owner"])
    client.get("/?lang=ar")
    page = client.get("/manage/northside/reports",
                      query_string={"start": "2026-11-08", "end": "2026-11-02"})
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "The end comes before the start." not in html
    assert 'dir="rtl"' in html


def test_a_year_and_a_day_is_the_limit(client, books):
    login(client, books["owner"])
    ok = client.get("/manage/northside/reports",
                    query_string={"start": "2024-01-01", "end": "2024-12-31"})  # 366 days
    assert ok.status_code == 200


def test_foreign_studio_and_other_roles_get_404(client, books):
    other = StudioFactory(slug="elsewhere")
    stranger = staff(other, Role.OWNER)
    login(client, stranger)
    assert client.get("/manage/northside/reports", query_string=PERIOD).status_code == 404
    assert client.get("/manage/northside/reports/revenue.csv",
                      query_string=PERIOD).status_code == 404
    client.post("/logout")
    desk = staff(books["studio"], Role.FRONT_DESK)
    login(client, desk)
    assert client.get("/manage/northside/reports", query_string=PERIOD).status_code == 404


def test_arabic_page(client, books):
    login(client, books["owner"])
    client.get("/?lang=ar")
    html = client.get("/manage/northside/reports", query_string=PERIOD).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    assert "يوغا" in html
    rows = _get_csv(client, "attendance")
    assert rows[0][0] != "Class type" and ["يوغا", "4", "2", "1", "1", "1"] in rows


def test_opens_on_the_last_30_days(client, books):
    login(client, books["owner"])
    from app.schedule.queries import local_today

    page = client.get("/manage/northside/reports")
    assert page.status_code == 200
    today = local_today("America/Toronto")
    html = page.get_data(as_text=True)
    assert f'value="{(today - timedelta(days=29)).isoformat()}"' in html
    assert f'value="{today.isoformat()}"' in html


def test_htmx_gets_the_results_alone(client, books):
    login(client, books["owner"])
    part = client.get("/manage/northside/reports", query_string=PERIOD,
                      headers={"HX-Request": "true"})
    assert part.status_code == 200
    html = part.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="report-results"') and "<canvas" in html
