"""Checks over the studio's own records: customers, bookings, passes, invoices, certificates."""

from datetime import timedelta

from sqlalchemy import func, select

from app.billing.models import Invoice
from app.bookings.models import Booking, BookingStatus
from app.certificates.models import Certificate, Course
from app.clients.queries.duplicates import list_duplicate_pairs
from app.extensions import db
from app.memberships.models import CreditEntry, Pass
from app.quality.checks.base import Finding
from app.schedule.models import ClassStatus, ScheduledClass
from app.schedule.queries import local_today

# Bookings that still hold or wait for a place (attended and no-show are history).
STILL_ACTIVE = (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED, BookingStatus.OFFERED)
EXPIRY_DAYS = 30


def duplicate_customers(studio) -> list[Finding]:
    """Pairs of customers who are probably one person (the desk's duplicate rules)."""
    return [Finding("duplicate_customer", [p.first.id, p.second.id],
                    "clients_desk.duplicates",
                    params={"first": p.first.name, "second": p.second.name})
            for p in list_duplicate_pairs(studio)]


def active_in_cancelled_classes(studio) -> list[Finding]:
    """Classes that were cancelled but still have confirmed, waitlisted or offered bookings."""
    rows = db.session.execute(
        select(ScheduledClass.id, ScheduledClass.starts_at, Booking.id)
        .join(Booking, Booking.class_id == ScheduledClass.id)
        .where(ScheduledClass.studio_id == studio.id, Booking.studio_id == studio.id,
               ScheduledClass.status == ClassStatus.CANCELLED, Booking.status.in_(STILL_ACTIVE))
        .order_by(ScheduledClass.starts_at, ScheduledClass.id, Booking.id)).all()
    classes: dict[int, tuple] = {}
    for class_id, starts_at, booking_id in rows:
        classes.setdefault(class_id, (starts_at, []))[1].append(booking_id)
    return [Finding("booking_in_cancelled_class", ids, "bookings_manage.roster",
                    {"class_id": class_id},
                    {"count": len(ids), "starts_at": starts_at.isoformat()})
            for class_id, (starts_at, ids) in classes.items()]


def negative_balances(studio) -> list[Finding]:
    """Passes whose credit ledger sums below zero. Unlimited passes (memberships) log each
    booking as -1 against no purchase, so only passes with credits count."""
    balance = func.sum(CreditEntry.delta)
    rows = db.session.execute(
        select(Pass.id, Pass.customer_id, balance)
        .join(CreditEntry, CreditEntry.pass_id == Pass.id)
        .where(Pass.studio_id == studio.id, CreditEntry.studio_id == studio.id,
               Pass.credits_total.is_not(None))
        .group_by(Pass.id).having(balance < 0).order_by(Pass.id)).all()
    return [Finding("negative_balance", [pass_id], "clients_manage.show_customer",
                    {"customer_id": customer_id}, {"balance": int(total), "pass": pass_id})
            for pass_id, customer_id, total in rows]


def invoice_number_gaps(studio) -> list[Finding]:
    """Missing sequence numbers among the studio's invoices (and, apart, its credit notes):
    numbers are taken under a lock in the issuing transaction, so a gap is a lost document."""
    previous = func.lag(Invoice.sequence, 1, 0).over(partition_by=Invoice.kind,
                                                     order_by=Invoice.sequence)
    ranked = (select(Invoice.id, Invoice.kind, Invoice.sequence, Invoice.number,
                     previous.label("previous"))
              .where(Invoice.studio_id == studio.id).subquery())
    rows = db.session.execute(
        select(ranked).where(ranked.c.sequence - ranked.c.previous > 1)
        .order_by(ranked.c.kind, ranked.c.sequence)).all()
    return [Finding("invoice_gap", [row.id], "billing_manage.invoices", {},
                    {"kind": str(row.kind), "first": row.previous + 1,
                     "last": row.sequence - 1, "after": row.number})
            for row in rows]


def expiring_certificates(studio) -> list[Finding]:
    """Valid certificates that expire within the next 30 days (the studio's days)."""
    today = local_today(studio.timezone)
    rows = db.session.execute(
        select(Certificate.id, Certificate.course_id, Certificate.number,
               Certificate.expires_on)
        .join(Course, Course.id == Certificate.course_id)
        .where(Certificate.studio_id == studio.id, Course.studio_id == studio.id,
               Certificate.revoked_at.is_(None),
               Certificate.expires_on.between(today, today + timedelta(days=EXPIRY_DAYS)))
        .order_by(Certificate.expires_on, Certificate.id)).all()
    return [Finding("certificate_expiring", [cid], "certificates_manage.course",
                    {"course_id": course_id},
                    {"number": number, "expires_on": expires_on.isoformat()})
            for cid, course_id, number, expires_on in rows]
