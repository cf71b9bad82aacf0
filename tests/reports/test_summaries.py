"""The summaries the reports read (each class's counts per status, each customer's months and
firsts: migration 0043) agree with a recount from the bookings after every kind of change —
booked, waitlisted, cancelled early and late, offered, lapsed, claimed, checked in, undone,
no-show, walk-in, moved, the class moved to another month or cancelled, rows changed by SQL —
and the CSV of every booking of a period streams them all."""

import csv
import io
from collections import Counter, defaultdict
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from app.bookings import attendance, services
from app.bookings.models import Booking, BookingStatus, CancelReason
from app.bookings.services.desk import move
from app.core.db import utcnow
from app.extensions import db
from app.reports.models import CustomerFirst, CustomerMonth
from app.schedule.models import ClassStatus, ScheduledClass
from app.studios.models import Location, Role, WaitlistMode
from tests.conftest import login
from tests.factories import ClassFactory, StudioFactory, UserFactory, staff
from tests.reports.test_reports import PERIOD, books  # noqa: F401 (a fixture)

S = BookingStatus
BOOKED = (S.CONFIRMED, S.ATTENDED, S.NO_SHOW, S.LATE_CANCELLED)
TALLIES = ("confirmed", "offered", "waitlisted", "attended", "no_show", "late_cancelled",
           "cancelled", "lapsed")


def _bucket(booking: Booking) -> str:
    if booking.status == S.CANCELLED and booking.cancel_reason == CancelReason.OFFER_EXPIRED:
        return "lapsed"
    return booking.status.value


def recount(studio) -> dict:
    """The summaries as they should be, from the studio's bookings alone."""
    db.session.flush()
    classes = {c.id: c for c in db.session.scalars(
        select(ScheduledClass).where(ScheduledClass.studio_id == studio.id))}
    zones = dict(db.session.execute(select(Location.id, Location.timezone)
                                    .where(Location.studio_id == studio.id)).all())
    bookings = db.session.scalars(select(Booking).where(Booking.studio_id == studio.id)
                                  .execution_options(populate_existing=True)).all()
    tallies = {cid: dict.fromkeys(TALLIES, 0) for cid in classes}
    months, booked, visits = Counter(), defaultdict(list), defaultdict(list)
    for b in bookings:
        cls = classes[b.class_id]
        tallies[cls.id][_bucket(b)] += 1
        order = (cls.starts_at, b.id)
        if b.status in BOOKED and cls.status == ClassStatus.SCHEDULED:
            local = cls.starts_at.astimezone(ZoneInfo(zones[cls.location_id]))
            months[(b.customer_id, local.year * 12 + local.month - 1)] += 1
            booked[b.customer_id].append((order, cls.id))
        if b.status == S.ATTENDED:
            visits[b.customer_id].append((order, cls.id))
    firsts = {}
    for customer in booked.keys() | visits.keys():
        mine = [m for (c, m) in months if c == customer]
        firsts[customer] = (min(booked[customer])[1] if booked[customer] else None,
                            min(visits[customer])[1] if visits[customer] else None,
                            min(mine) if mine else None)
    return {"tallies": tallies, "months": dict(months), "firsts": firsts}


def kept(studio) -> dict:
    """The summaries as the triggers keep them."""
    db.session.flush()
    columns = [getattr(ScheduledClass, f"{t}_count") for t in TALLIES]
    tallies = {r[0]: dict(zip(TALLIES, r[1:], strict=True)) for r in db.session.execute(
        select(ScheduledClass.id, *columns).where(ScheduledClass.studio_id == studio.id))}
    months = {(r.customer_id, r.month): r.bookings for r in db.session.scalars(
        select(CustomerMonth).where(CustomerMonth.studio_id == studio.id))}
    firsts = {r.customer_id: (r.first_booked_class_id, r.first_visit_class_id, r.first_month)
              for r in db.session.scalars(
                  select(CustomerFirst).where(CustomerFirst.studio_id == studio.id))}
    return {"tallies": tallies, "months": months, "firsts": firsts}


def agree(studio, step: str) -> None:
    assert kept(studio) == recount(studio), step


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
