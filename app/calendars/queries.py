"""What a person's calendar holds, read in a fixed number of statements whatever its size:
the classes they booked, the 1:1 sessions they take or give, the classes they coach.

Each becomes an `Entry`, the one shape the feed, a booking's .ics and the CalDAV push render.
Cancelled ones stay for `KEEP_CANCELLED` after they were cancelled, so a subscribed calendar
sees STATUS:CANCELLED and drops its copy, then they leave the feed.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import abort, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.appointments.models import HOLDS_TIME, Appointment, SessionType
from app.bookings.models import ACTIVE, Booking, BookingStatus
from app.calendars.models import CalendarConnection, CalendarFeed
from app.core.db import one_of
from app.core.i18n import local, translated
from app.core.urls import base_url_context, external_url
from app.extensions import db
from app.schedule.models import ClassStatus, ClassType, ScheduledClass
from app.studios.models import Location, Room, Studio

KEEP_CANCELLED = timedelta(days=7)
# How far back a feed reaches: a year of history, everything ahead.
HISTORY = timedelta(days=365)

SECRET_LENGTH = 43  # secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class Entry:
    """One event of a calendar, whoever it is for."""

    uid: str
    sequence: int
    stamp: datetime  # when it last changed: DTSTAMP and LAST-MODIFIED
    starts_at: datetime
    ends_at: datetime
    timezone: str
    summary: str
    location: str
    url: str
    status: str  # CONFIRMED, TENTATIVE or CANCELLED

    @property
    def cancelled(self) -> bool:
        return self.status == "CANCELLED"


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def find_feed_or_404(secret: str) -> CalendarFeed:
    """The feed whose link carries `secret`; an old (replaced) or made-up secret is a 404."""
    if len(secret) != SECRET_LENGTH:
        abort(404)
    feed = db.session.scalar(select(CalendarFeed).where(
        CalendarFeed.token_hash == secret_hash(secret)))
    if feed is None:
        abort(404)
    return feed


def feed_of(user) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def connection_of(user) -> CalendarConnection | None:
    return db.session.scalar(select(CalendarConnection)
                             .where(CalendarConnection.user_id == user.id))


def _place(location_name, room_name, address, language) -> str:
    parts = [translated(location_name, language)]
    if room_name:
        parts.append(translated(room_name, language))
    place = " · ".join(p for p in parts if p)
    return f"{place}, {address}" if address else place


def _kept(status_column, cancelled_column, active, now: datetime):
    return or_(one_of(status_column, active), cancelled_column >= now - KEEP_CANCELLED)


def _host() -> str:
    return url_for("studios.index", _external=True).split("//", 1)[-1].strip("/") or "fitflow"


def booking_entries(user, now: datetime, *, booking_id: int | None = None) -> list[Entry]:
    """The classes `user` booked (one statement); only `booking_id` when given, whatever its
    status or time."""
    c, b = ScheduledClass, Booking
    query = (
        select(b.id, b.status, b.revision, b.changed_at, c.id, c.revision, c.changed_at,
               c.starts_at, c.ends_at, c.status, ClassType.name, Location.name, Location.address,
               Location.timezone, Room.name, Studio.slug, Studio.default_language, Studio.name)
        .join(c, c.id == b.class_id).join(ClassType, ClassType.id == c.class_type_id)
        .join(Location, Location.id == c.location_id).join(Studio, Studio.id == c.studio_id)
        .outerjoin(Room, Room.id == c.room_id)
        .where(b.customer_id == user.id)
    )
    if booking_id is not None:
        query = query.where(b.id == booking_id)
    else:
        query = query.where(c.starts_at >= now - HISTORY,
                            _kept(b.status, b.cancelled_at, ACTIVE, now))
    rows = db.session.execute(query.order_by(c.starts_at, b.id)).all()
    # A class booked again after a cancellation: the live booking is the class's only event.
    live = {r[4] for r in rows if r[1] in ACTIVE}
    host = _host()
    entries = []
    for (bid, status, b_rev, b_changed, class_id, c_rev, c_changed, starts, ends, c_status,
         type_name, loc_name, address, tz, room_name, slug, language, studio_name) in rows:
        if status not in ACTIVE and class_id in live and booking_id is None:
            continue
        if status not in ACTIVE or c_status == ClassStatus.CANCELLED:
            state = "CANCELLED"
        elif status in (BookingStatus.WAITLISTED, BookingStatus.OFFERED):
            state = "TENTATIVE"
        else:
            state = "CONFIRMED"
        lang = user.locale or language
        summary = translated(type_name, language, lang)
        if state == "TENTATIVE":
            summary = _("%(class)s (waitlist)", **{"class": summary})
        summary = f"{summary} · {translated(studio_name, language, lang)}"
        entries.append(Entry(
            f"booking-{bid}@{host}", b_rev + c_rev, max(b_changed, c_changed), starts, ends, tz,
            summary, _place(loc_name, room_name, address, lang),
            url_for("bookings.class_detail", studio=slug, class_id=class_id, _external=True),
            state))
    return entries


def session_entries(user, now: datetime, *, giving_only: bool = False,
                    appointment_id: int | None = None) -> list[Entry]:
    """The 1:1 sessions `user` takes or gives (one statement); `giving_only`: gives;
    `appointment_id`: only that session they take, whatever its status or time."""
    a = Appointment
    coach, customer = aliased(User), aliased(User)
    if appointment_id is not None:
        which = (a.id == appointment_id, a.customer_id == user.id)
    else:
        which = (a.coach_id == user.id if giving_only
                 else or_(a.customer_id == user.id, a.coach_id == user.id),
                 a.starts_at >= now - HISTORY, _kept(a.status, a.cancelled_at, HOLDS_TIME, now))
    rows = db.session.execute(
        select(a.id, a.status, a.revision, a.changed_at, a.starts_at, a.ends_at, a.coach_id,
               SessionType.name, coach.name, customer.name, Location.name, Location.address,
               Location.timezone, Studio.slug, Studio.default_language)
        .join(SessionType, SessionType.id == a.session_type_id)
        .join(Location, Location.id == a.location_id).join(Studio, Studio.id == a.studio_id)
        .join(coach, coach.id == a.coach_id).join(customer, customer.id == a.customer_id)
        .where(*which).order_by(a.starts_at, a.id)
    ).all()
    host = _host()
    entries = []
    for (aid, status, rev, changed, starts, ends, coach_id, type_name, coach_name,
         customer_name, loc_name, address, tz, slug, language) in rows:
        lang = user.locale or language
        name = translated(type_name, language, lang)
        if coach_id == user.id:
            summary = _("%(session)s with %(name)s", session=name, name=customer_name)
            url = url_for("coach.today", day=local(starts, tz).date().isoformat(),
                          _external=True)
        else:
            summary = _("%(session)s with %(name)s", session=name, name=coach_name)
            url = url_for("appointments.detail", studio=slug, appointment_id=aid,
                          _external=True)
        state = "CONFIRMED" if status in HOLDS_TIME else "CANCELLED"
        entries.append(Entry(f"session-{aid}@{host}", rev, changed, starts, ends, tz, summary,
                             _place(loc_name, None, address, lang), url, state))
    return entries


def coached_entries(user, now: datetime) -> list[Entry]:
    """The classes `user` coaches (one statement)."""
    c = ScheduledClass
    rows = db.session.execute(
        select(c.id, c.status, c.revision, c.changed_at, c.starts_at, c.ends_at, ClassType.name,
               Location.name, Location.address, Location.timezone, Room.name, Studio.slug,
               Studio.default_language, Studio.name)
        .join(ClassType, ClassType.id == c.class_type_id)
        .join(Location, Location.id == c.location_id).join(Studio, Studio.id == c.studio_id)
        .outerjoin(Room, Room.id == c.room_id)
        .where(c.coach_id == user.id, c.starts_at >= now - HISTORY,
               or_(c.status == ClassStatus.SCHEDULED,
                   and_(c.status == ClassStatus.CANCELLED,
                        c.cancelled_at >= now - KEEP_CANCELLED)))
        .order_by(c.starts_at, c.id)
    ).all()
    host = _host()
    entries = []
    for (cid, status, rev, changed, starts, ends, type_name, loc_name, address, tz, room_name,
         slug, language, studio_name) in rows:
        lang = user.locale or language
        summary = _("Coaching: %(class)s", **{"class": translated(type_name, language, lang)})
        entries.append(Entry(
            f"class-{cid}@{host}", rev, changed, starts, ends, tz,
            f"{summary} · {translated(studio_name, language, lang)}",
            _place(loc_name, room_name, address, lang),
            url_for("bookings_coach.roster", studio=slug, class_id=cid, _external=True),
            "CANCELLED" if status == ClassStatus.CANCELLED else "CONFIRMED"))
    return entries


def person_entries(user, now: datetime) -> list[Entry]:
    """Everything on `user`'s calendar, in their language: three statements."""
    with base_url_context(), force_locale(user.locale or "en"):
        entries = booking_entries(user, now) + session_entries(user, now) \
            + coached_entries(user, now)
    return sorted(entries, key=lambda e: (e.starts_at, e.uid))


def coach_entries(user, now: datetime) -> list[Entry]:
    """What a coach's own calendar receives: the classes they coach, the sessions they give."""
    with base_url_context(), force_locale(user.locale or "en"):
        entries = coached_entries(user, now) + session_entries(user, now, giving_only=True)
    return sorted(entries, key=lambda e: (e.starts_at, e.uid))


def one_booking_entry(user, now: datetime, *, booking_id: int | None = None,
                      appointment_id: int | None = None) -> Entry:
    """The user's own class booking or 1:1 session as one entry; anyone else's (or none) is a
    404."""
    with base_url_context(), force_locale(user.locale or "en"):
        if booking_id is not None:
            entries = booking_entries(user, now, booking_id=booking_id)
        else:
            entries = session_entries(user, now, appointment_id=appointment_id)
    if not entries:
        abort(404)
    return entries[0]


def booking_ics_url(booking_id: int) -> str:
    """The absolute "Add to calendar" link of a class booking (e-mails, outside a request)."""
    return external_url("calendars.booking_ics", booking_id=booking_id)


def session_ics_url(appointment_id: int) -> str:
    """The absolute "Add to calendar" link of a 1:1 session the person takes."""
    return external_url("calendars.session_ics", appointment_id=appointment_id)
