"""What a person's calendar holds, read in a fixed number of statements whatever its size:
the classes they booked, the 1:1 sessions they take or give, the classes they coach.

Each becomes an `Entry`, the one shape the feed, a booking's .ics and the CalDAV push render.
Cancelled ones stay for `KEEP_CANCELLED` after they were cancelled, so a subscribed calendar
sees STATUS:CANCELLED and drops its copy, then they leave the feed.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import abort, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import DateTime, Select, Text, and_, bindparam, cast, or_, select, type_coerce
from sqlalchemy.orm import aliased, joinedload

from app.accounts.models import User
from app.appointments.models import HOLDS_TIME, Appointment, SessionType
from app.bookings.models import ACTIVE, Booking, BookingStatus
from app.calendars.models import CalendarConnection, CalendarFeed
from app.core.db import one_of
from app.core.i18n import local, translated
from app.core.urls import base_url_context, external_url, url_for_ids
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
    feed = db.session.scalar(select(CalendarFeed).options(joinedload(CalendarFeed.user)).where(
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
    parts = [translated(location_name, lang=language)]
    if room_name:
        parts.append(translated(room_name, lang=language))
    place = " · ".join(p for p in parts if p)
    return f"{place}, {address}" if address else place


def _host() -> str:
    return url_for("studios.index", _external=True).split("//", 1)[-1].strip("/") or "fitflow"


def _text(column):
    """A content map (JSON) read as its text: psycopg's JSON loader costs more than the rest of
    a row, and a feed repeats a handful of names hundreds of times (`_maps` reads each once)."""
    return cast(column, Text).label(f"{column.class_.__tablename__}_{column.key}")


def _time(column):
    """A timestamp as the driver reads it (aware, in the connection's zone), without the UTC
    type's conversion of each value: a feed reads four per event, and every use of them
    (`ics`, sorting, `max`) works on aware datetimes whatever their zone."""
    return type_coerce(column, DateTime(timezone=True)).label(
        f"{column.class_.__tablename__}_{column.key}")


def _maps():
    """text -> content map, each distinct text decoded once."""
    seen = {}

    def load(raw):
        if raw is None:
            return None
        if raw not in seen:
            seen[raw] = json.loads(raw)
        return seen[raw]
    return load


def _url_builder(endpoint: str, key: str):
    """slug -> (id -> the absolute URL of `endpoint`), each studio's built once (a feed's
    hundreds of rows name a handful of studios)."""
    built = {}

    def for_studio(slug: str):
        if slug not in built:
            built[slug] = url_for_ids(endpoint, key, studio=slug, _external=True)
        return built[slug]
    return for_studio


@cache
def _bookings_statement(one: bool) -> Select:
    """A person's class bookings in a feed (`one`: a single booking, whatever its status or
    time), built once: building and keying the statement costs as much as running it."""
    c, b = ScheduledClass, Booking
    query = (
        select(b.id, b.status, b.revision, _time(b.changed_at), c.id, c.revision,
               _time(c.changed_at), _time(c.starts_at), _time(c.ends_at), c.status,
               _text(ClassType.name), _text(Location.name),
               Location.address, Location.timezone, _text(Room.name), Studio.slug,
               Studio.default_language, _text(Studio.name))
        .join(c, c.id == b.class_id).join(ClassType, ClassType.id == c.class_type_id)
        .join(Location, Location.id == c.location_id).join(Studio, Studio.id == c.studio_id)
        .outerjoin(Room, Room.id == c.room_id)
        .where(b.customer_id == bindparam("customer"))
    )
    if one:
        query = query.where(b.id == bindparam("booking"))
    else:
        query = query.where(c.starts_at >= bindparam("since"),
                            or_(one_of(b.status, ACTIVE), b.cancelled_at >= bindparam("kept")))
    return query.order_by(c.starts_at, b.id)


def booking_entries(user, now: datetime, *, booking_id: int | None = None) -> list[Entry]:
    """The classes `user` booked (one statement); only `booking_id` when given, whatever its
    status or time."""
    rows = db.session.execute(_bookings_statement(booking_id is not None), {
        "customer": user.id, "booking": booking_id, "since": now - HISTORY,
        "kept": now - KEEP_CANCELLED}).all()
    # A class booked again after a cancellation: the live booking is the class's only event.
    live = {r[4] for r in rows if r[1] in ACTIVE}
    host = _host()
    class_url = _url_builder("bookings.class_detail", "class_id")
    load = _maps()
    # A feed's hundreds of rows name a handful of classes, places and studios: each summary
    # and place is written once per request, keyed by the raw texts that make it.
    summaries, places = {}, {}
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
        key = (type_name, studio_name, language, state == "TENTATIVE")
        summary = summaries.get(key)
        if summary is None:
            summary = translated(load(type_name), language, lang)
            if state == "TENTATIVE":
                summary = _("%(class)s (waitlist)", **{"class": summary})
            summary = summaries[key] = \
                f"{summary} · {translated(load(studio_name), language, lang)}"
        key = (loc_name, room_name, address, language)
        place = places.get(key)
        if place is None:
            place = places[key] = _place(load(loc_name), load(room_name), address, lang)
        entries.append(Entry(
            f"booking-{bid}@{host}", b_rev + c_rev, max(b_changed, c_changed), starts, ends, tz,
            summary, place, class_url(slug)(class_id), state))
    return entries


@cache
def _sessions_statement(which: str) -> Select:
    """1:1 sessions in a feed: `taken_or_given`, `given`, or `one` taken (any status, any
    time), built once."""
    a = Appointment
    coach, customer = aliased(User), aliased(User)
    if which == "one":
        where = (a.id == bindparam("appointment"), a.customer_id == bindparam("user"))
    else:
        where = (a.coach_id == bindparam("user") if which == "given"
                 else or_(a.customer_id == bindparam("user"), a.coach_id == bindparam("user")),
                 a.starts_at >= bindparam("since"),
                 or_(one_of(a.status, HOLDS_TIME), a.cancelled_at >= bindparam("kept")))
    return (
        select(a.id, a.status, a.revision, _time(a.changed_at), _time(a.starts_at),
               _time(a.ends_at), a.coach_id,
               _text(SessionType.name), coach.name, customer.name, _text(Location.name),
               Location.address, Location.timezone, Studio.slug, Studio.default_language)
        .join(SessionType, SessionType.id == a.session_type_id)
        .join(Location, Location.id == a.location_id).join(Studio, Studio.id == a.studio_id)
        .join(coach, coach.id == a.coach_id).join(customer, customer.id == a.customer_id)
        .where(*where).order_by(a.starts_at, a.id)
    )


def session_entries(user, now: datetime, *, giving_only: bool = False,
                    appointment_id: int | None = None) -> list[Entry]:
    """The 1:1 sessions `user` takes or gives (one statement); `giving_only`: gives;
    `appointment_id`: only that session they take, whatever its status or time."""
    which = "one" if appointment_id is not None else "given" if giving_only else "taken_or_given"
    rows = db.session.execute(_sessions_statement(which), {
        "user": user.id, "appointment": appointment_id, "since": now - HISTORY,
        "kept": now - KEEP_CANCELLED}).all()
    host = _host()
    session_url = _url_builder("appointments.detail", "appointment_id")
    load = _maps()
    entries = []
    for (aid, status, rev, changed, starts, ends, coach_id, type_name, coach_name,
         customer_name, loc_name, address, tz, slug, language) in rows:
        type_name, loc_name = load(type_name), load(loc_name)
        lang = user.locale or language
        name = translated(type_name, language, lang)
        if coach_id == user.id:
            summary = _("%(session)s with %(name)s", session=name, name=customer_name)
            url = url_for("coach.today", day=local(starts, tz).date().isoformat(),
                          _external=True)
        else:
            summary = _("%(session)s with %(name)s", session=name, name=coach_name)
            url = session_url(slug)(aid)
        state = "CONFIRMED" if status in HOLDS_TIME else "CANCELLED"
        entries.append(Entry(f"session-{aid}@{host}", rev, changed, starts, ends, tz, summary,
                             _place(loc_name, None, address, lang), url, state))
    return entries


@cache
def _coached_statement() -> Select:
    c = ScheduledClass
    return (
        select(c.id, c.status, c.revision, _time(c.changed_at), _time(c.starts_at),
               _time(c.ends_at), _text(ClassType.name), _text(Location.name), Location.address,
               Location.timezone,
               _text(Room.name), Studio.slug, Studio.default_language, _text(Studio.name))
        .join(ClassType, ClassType.id == c.class_type_id)
        .join(Location, Location.id == c.location_id).join(Studio, Studio.id == c.studio_id)
        .outerjoin(Room, Room.id == c.room_id)
        .where(c.coach_id == bindparam("coach"), c.starts_at >= bindparam("since"),
               or_(c.status == ClassStatus.SCHEDULED,
                   and_(c.status == ClassStatus.CANCELLED, c.cancelled_at >= bindparam("kept"))))
        .order_by(c.starts_at, c.id)
    )


def coached_entries(user, now: datetime) -> list[Entry]:
    """The classes `user` coaches (one statement)."""
    rows = db.session.execute(_coached_statement(), {
        "coach": user.id, "since": now - HISTORY, "kept": now - KEEP_CANCELLED}).all()
    host = _host()
    roster_url = _url_builder("bookings_coach.roster", "class_id")
    load = _maps()
    entries = []
    for (cid, status, rev, changed, starts, ends, type_name, loc_name, address, tz, room_name,
         slug, language, studio_name) in rows:
        type_name, loc_name, room_name, studio_name = (load(type_name), load(loc_name),
                                                       load(room_name), load(studio_name))
        lang = user.locale or language
        summary = _("Coaching: %(class)s", **{"class": translated(type_name, language, lang)})
        entries.append(Entry(
            f"class-{cid}@{host}", rev, changed, starts, ends, tz,
            f"{summary} · {translated(studio_name, language, lang)}",
            _place(loc_name, room_name, address, lang),
            roster_url(slug)(cid),
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
