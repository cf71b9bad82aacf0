"""The summaries the reports read (each class's counts per status, each customer's months,
firsts and cohort, the daily money and taxes: migration 0044) agree with a recount from the
rows they summarise after every kind of change — booked, waitlisted, cancelled early and late,
offered, lapsed, claimed, checked in, undone, no-show, walk-in, moved, the class moved to
another month or cancelled, a sale, a payment, a refund, a credit note, an order sold elsewhere,
rows changed by SQL — and the CSV of every booking of a period streams them all."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select, text

from app.billing.models import (
    DocumentKind,
    Invoice,
    OrderStatus,
    PaymentMethod,
    Refund,
)
from app.bookings import attendance, services
from app.bookings.models import BookingStatus
from app.bookings.services.desk import move
from app.core.db import utcnow
from app.extensions import db
from app.memberships.models import PlanKind
from app.reports.models import Cohort, CustomerFirst, CustomerMonth, RevenueDay, TaxDay
from app.reports.services import TALLIES, recount_bookings, recount_money
from app.schedule.models import ScheduledClass
from app.studios.models import Role, WaitlistMode
from tests.conftest import login
from tests.factories import (
    ClassFactory,
    LocationFactory,
    PlanFactory,
    StudioFactory,
    UserFactory,
    staff,
)
from tests.reports.test_reports import PERIOD, _order, _pay, books, utc  # noqa: F401 (a fixture)

S = BookingStatus


def kept(studio) -> dict:
    """The summaries as the triggers keep them."""
    db.session.flush()
    columns = [getattr(ScheduledClass, f"{t}_count") for t in TALLIES]
    tallies = {r[0]: dict(zip(TALLIES, r[1:], strict=True)) for r in db.session.execute(
        select(ScheduledClass.id, *columns).where(ScheduledClass.studio_id == studio.id))}
    months = {(r.customer_id, r.month): r.bookings for r in db.session.scalars(
        select(CustomerMonth).where(CustomerMonth.studio_id == studio.id))}
    firsts = {r.customer_id: (r.first_booked_class_id, r.first_visit_class_id, r.first_month,
                              r.kept)
              for r in db.session.scalars(
                  select(CustomerFirst).where(CustomerFirst.studio_id == studio.id))}
    cohorts = {(r.first_month, r.k): r.customers for r in db.session.scalars(
        select(Cohort).where(Cohort.studio_id == studio.id))}
    return {"tallies": tallies, "months": months, "firsts": firsts, "cohorts": cohorts}


def agree(studio, step: str) -> None:
    assert kept(studio) == recount_bookings(studio), step


def test_summaries_follow_every_change_to_bookings_and_classes(app, ctx):
    studio = StudioFactory(waitlist_mode=WaitlistMode.CLAIM)
    desk = staff(studio, Role.OWNER)
    soon = ClassFactory(studio=studio, capacity=3, hours_ahead=5)
    later = ClassFactory(studio=studio, capacity=10, hours_ahead=48)
    earlier = ClassFactory(studio=studio, capacity=10, hours_ahead=-24 * 40)
    people = UserFactory.create_batch(6)
    made = [services.book_class(studio, soon, p, actor=p) for p in people[:5]]
    assert [b.status for b in made].count(S.WAITLISTED) == 2
    agree(studio, "booked and waitlisted")
    services.cancel_booking(studio, made[0], actor=people[0])  # early: the first waiter offered
    assert made[3].status == S.OFFERED
    agree(studio, "cancelled in time, an offer made")
    services.expire_offer(studio, made[3], now=made[3].offer_expires_at + timedelta(seconds=1))
    agree(studio, "the offer lapsed, passed on")
    services.claim_offer(studio, made[4], actor=people[4])
    agree(studio, "claimed")
    late = services.book_class(studio, later, people[0], actor=people[0])
    services.cancel_booking(studio, late, actor=people[0],
                            now=later.starts_at - timedelta(minutes=5))
    assert late.status == S.LATE_CANCELLED
    agree(studio, "cancelled late")
    attendance.check_in(studio, made[1], actor=desk, now=soon.starts_at)
    agree(studio, "checked in")
    attendance.undo_check_in(studio, made[1], actor=desk)
    attendance.mark_no_show(studio, made[2], actor=desk, now=soon.starts_at + timedelta(hours=2))
    attendance.add_walk_in(studio, later, people[5], actor=desk, now=later.starts_at)
    agree(studio, "undone, no-show, walk-in")
    move(studio, made[1], later, actor=desk)
    agree(studio, "moved to another class")
    # A check-in at an earlier class becomes the customer's first visit and first month.
    db.session.execute(text(
        "INSERT INTO bookings (studio_id, class_id, customer_id, status, booked_by_id, note,"
        " created_at) VALUES (:s, :c, :u, 'attended', :u, '', now())"),
        {"s": studio.id, "c": earlier.id, "u": people[4].id})
    agree(studio, "a check-in written by SQL")
    db.session.execute(text("UPDATE classes SET starts_at = starts_at + interval '62 days',"
                            " ends_at = ends_at + interval '62 days' WHERE id = :id"),
                       {"id": later.id})
    db.session.expire_all()
    agree(studio, "a class moved two months on")
    services.cancel_class(studio, soon, actor=desk, now=utcnow())
    db.session.expire_all()
    agree(studio, "a class cancelled")
    db.session.execute(text("UPDATE classes SET status = 'scheduled' WHERE id = :id"),
                       {"id": soon.id})
    db.session.execute(text("DELETE FROM bookings WHERE customer_id = :u AND studio_id = :s"),
                       {"u": people[4].id, "s": studio.id})
    db.session.expire_all()
    agree(studio, "a class restored, a customer's bookings deleted")
    # The recount the migration runs gives what the triggers kept.
    before = kept(studio)
    db.session.execute(text("SELECT report_summaries_rebuild()"))
    assert kept(studio) == before


def money_kept(studio) -> dict:
    db.session.flush()
    return {"lines": {(r.location_id, r.day, r.currency, r.line, r.plan_id, r.method):
                      [r.n, r.net_minor, r.tax_minor, r.amount_minor]
                      for r in db.session.scalars(select(RevenueDay).where(
                          RevenueDay.studio_id == studio.id))},
            "taxes": {(r.location_id, r.day, r.currency, r.code, Decimal(r.rate)):
                      [r.lines, r.base_minor, r.collected_minor, r.returned_minor]
                      for r in db.session.scalars(select(TaxDay).where(
                          TaxDay.studio_id == studio.id))}}


def money_agrees(studio, step: str) -> None:
    kept_now = money_kept(studio)
    recount = recount_money(studio)
    assert kept_now == {"lines": recount["lines"], "taxes": recount["taxes"]}, step
    assert kept_now["lines"], step


def test_money_summaries_follow_sales_payments_refunds_and_credit_notes(app, ctx):
    studio = StudioFactory(location__tax_jurisdiction="CA-ON")
    toronto = studio.default_location
    riyadh = LocationFactory(studio=studio, timezone="Asia/Riyadh", currency="SAR",
                             tax_jurisdiction="SA")
    pack = PlanFactory(studio=studio, kind=PlanKind.CLASS_PACK, currency="CAD")
    buyer, other = UserFactory(), UserFactory()
    # Paid at 23:30 in Toronto: already the next day in UTC.
    paid = _order(studio, pack, buyer, toronto, net=20000, tax=2600, code="HST", rate="13",
                  paid_at=utc(2026, 11, 3, 4, 30))
    cash = _pay(paid, PaymentMethod.CASH, utc(2026, 11, 3, 4, 30))
    money_agrees(studio, "a sale paid in cash")
    owed = _order(studio, pack, other, toronto, net=20000, tax=2600, code="HST", rate="13",
                  paid_at=None, status=OrderStatus.AWAITING_PAYMENT)
    money_agrees(studio, "an order awaiting payment counts for nothing")
    owed.status, owed.paid_at = OrderStatus.PAID, utc(2026, 11, 5, 15)
    _pay(owed, PaymentMethod.CARD_TERMINAL, utc(2026, 11, 5, 15))
    money_agrees(studio, "paid at the desk later")
    refund = Refund(studio_id=studio.id, payment_id=cash.id, amount_minor=11300)
    db.session.add(refund)
    db.session.flush()
    refund.created_at = utc(2026, 11, 6, 12)
    money_agrees(studio, "half refunded, its day set")
    db.session.add(Invoice(
        studio_id=studio.id, kind=DocumentKind.CREDIT_NOTE, sequence=1, number="CN-1",
        order_id=paid.id, customer_id=buyer.id, refund_id=refund.id,
        issued_at=utc(2026, 11, 6, 12), locale="en", gross_minor=11300, currency="CAD",
        snapshot={"totals": {"net_minor": 10000, "gross_minor": 11300, "taxes": [
            {"code": "HST", "name": {"en": "HST"}, "rate": "13", "amount_minor": 1300}]}}))
    money_agrees(studio, "its credit note")
    paid.location_id = riyadh.id  # sold elsewhere after all: its money and its day move
    money_agrees(studio, "the order's location changed")
    db.session.execute(text("UPDATE payments SET received_at = received_at + interval '3 days',"
                            " method = 'stripe' WHERE order_id = :o"), {"o": owed.id})
    money_agrees(studio, "a payment changed by SQL")
    db.session.execute(text("DELETE FROM payments WHERE order_id = :o"), {"o": owed.id})
    owed.status = OrderStatus.CANCELLED
    money_agrees(studio, "a payment deleted, its order cancelled")
    before = money_kept(studio)
    db.session.execute(text("SELECT report_summaries_rebuild()"))
    assert money_kept(studio) == before


def test_csv_of_every_booking_in_the_period(client, books):  # noqa: F811
    login(client, books["owner"])
    db.session.execute(text("UPDATE users SET name = '=HYPERLINK(1)' WHERE name = 'Customer 1'"))
    response = client.get("/manage/northside/reports/bookings.csv", query_string=PERIOD)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["Date", "Time", "Class type", "Location", "Coach", "Customer", "Email",
                       "Status", "Booked at (UTC)", "Cancelled at (UTC)"]
    # Local days and times of the location; the cancelled class's booking too; a formula
    # typed as a name shown as text.
    assert [r[:6] + [r[7]] for r in rows[1:]] == [
        ["2026-11-02", "18:00", "Yoga", "Main", "Coach Hana", "'=HYPERLINK(1)", "Attended"],
        ["2026-11-02", "18:00", "Yoga", "Main", "Coach Hana", "Customer 2", "Attended"],
        ["2026-11-02", "18:00", "Yoga", "Main", "Coach Hana", "Customer 3", "Missed"],
        ["2026-11-02", "18:00", "Yoga", "Main", "Coach Hana", "Customer 4", "Late cancel"],
        ["2026-11-02", "18:00", "Yoga", "Main", "Coach Hana", "Customer 5", "Cancelled"],
        ["2026-11-04", "18:00", "Yoga", "Main", "", "Customer 5", "Cancelled"],
        ["2026-11-08", "23:30", "Strength", "Main", "", "Customer 3", "Attended"],
        ["2026-11-08", "23:30", "Strength", "Main", "", "Customer 4", "Booked"]]
    assert client.get("/manage/northside/reports/bookings.csv",
                      query_string={"start": "2026-11-08", "end": "2026-11-01"}
                      ).status_code == 422


def test_a_customers_firsts_follow_each_new_booking_later_earlier_or_in_another_month(app, ctx):
    """Each kind of new booking a customer makes (later than their first, earlier, in a month
    they had booked in or a new one, before their first month) keeps their firsts, months and
    cohort as the recount finds them."""
    studio = StudioFactory(booking_opens_days=90)
    me = UserFactory()
    for days, step in [(40, "a first booking"), (41, "later, the same month"),
                       (42, "later again"), (39, "earlier than the first"),
                       (75, "a month or more on"), (76, "later in that month"),
                       (3, "a month before the first")]:
        cls = ClassFactory(studio=studio, capacity=10, hours_ahead=24 * days)
        services.book_class(studio, cls, me, actor=me)
        agree(studio, step)
