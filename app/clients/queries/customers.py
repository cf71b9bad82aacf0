"""The studio's customers at the desk: the searchable, filtered list (one statement per page,
whatever its size), its CSV rows (streamed from a server-side cursor) and likely duplicates."""

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, or_, select

from app.accounts.models import User
from app.billing.models import Order, OrderStatus
from app.bookings.models import Booking, BookingStatus
from app.core.search import fold, like_pattern, phone_key, search_terms
from app.extensions import db
from app.memberships.models import Pass, PassStatus, Plan, PlanKind
from app.schedule.models import ScheduledClass
from app.studios.models import StudioCustomer

PAGE_SIZE = 50
MAX_PAGE = 200  # deeper than 10,000 rows, narrow the search instead
ENDING_WITHIN = timedelta(days=14)
IDLE_AFTER = timedelta(days=30)
# The list's filters (the query string's `show`), each an EXISTS on the customer.
SHOWS = ("active", "ending", "owes", "idle", "new")


@dataclass
class CustomerFilters:
    search: str = ""
    show: tuple[str, ...] = ()
    tag: str = ""


@dataclass
class CustomerRow:
    link: StudioCustomer
    user: User
    last_visit: datetime | None


@dataclass
class CustomerPage:
    rows: list[CustomerRow] = field(default_factory=list)
    page: int = 1
    has_next: bool = False


def _visits(studio_id: int):
    """Attended classes of the outer query's customer in the studio (for EXISTS and MAX)."""
    return (select(ScheduledClass.starts_at).select_from(Booking)
            .join(ScheduledClass, ScheduledClass.id == Booking.class_id)
            .where(Booking.studio_id == studio_id, Booking.customer_id == StudioCustomer.user_id,
                   Booking.status == BookingStatus.ATTENDED))


def _month_start(now: datetime, tz: str) -> datetime:
    local = now.astimezone(ZoneInfo(tz))
    return datetime.combine(local.date().replace(day=1), time(0), ZoneInfo(tz))


def _conditions(studio, filters: CustomerFilters, now: datetime) -> list:
    who = StudioCustomer.user_id
    # Every typed word somewhere in the folded name, email or phone (a trigram index serves
    # each LIKE on PostgreSQL).
    conditions = [StudioCustomer.search.like(like_pattern(term), escape="\\")
                  for term in search_terms(filters.search)]
    if filters.tag and fold(filters.tag):
        conditions.append(StudioCustomer.tag_keys.like(like_pattern(f"|{fold(filters.tag)}|"),
                                                       escape="\\"))
    usable = ((Pass.studio_id == studio.id) & (Pass.customer_id == who)
              & (Pass.status != PassStatus.REVOKED))
    if "active" in filters.show:
        conditions.append(exists().where(usable,
                                         Pass.expires_at.is_(None) | (Pass.expires_at > now)))
    if "ending" in filters.show:
        conditions.append(exists().where(usable, Pass.plan_id == Plan.id,
                                         Plan.kind == PlanKind.MEMBERSHIP,
                                         Pass.expires_at > now,
                                         Pass.expires_at <= now + ENDING_WITHIN))
    if "owes" in filters.show:
        conditions.append(exists().where(Order.studio_id == studio.id, Order.customer_id == who,
                                         Order.status == OrderStatus.AWAITING_PAYMENT))
    visits = _visits(studio.id)
    if "idle" in filters.show:
        conditions.append(~visits.where(ScheduledClass.starts_at >= now - IDLE_AFTER,
                                        ScheduledClass.starts_at <= now).exists())
    if "new" in filters.show:
        start = _month_start(now, studio.timezone)
        conditions.append(visits.where(ScheduledClass.starts_at >= start).exists())
        conditions.append(~visits.where(ScheduledClass.starts_at < start).exists())
    return conditions


def _last_visit(studio_id: int):
    return (select(func.max(ScheduledClass.starts_at)).select_from(Booking)
            .join(ScheduledClass, ScheduledClass.id == Booking.class_id)
            .where(Booking.studio_id == studio_id, Booking.customer_id == StudioCustomer.user_id,
                   Booking.status == BookingStatus.ATTENDED)
            .scalar_subquery())


def list_customers(studio, filters: CustomerFilters, now: datetime,
                   page: int = 1) -> CustomerPage:
    """One page of the studio's customers matching `filters`, by name, with their last visit:
    one statement whatever the page size (a page beyond MAX_PAGE is the last allowed).

    Sorted by the folded search column, which starts with the folded name: the sort needs no
    join (users are joined for the page's rows only), an index serves the unfiltered list, and
    أحمد sorts with احمد."""
    page = min(max(page, 1), MAX_PAGE)
    # The page's ids first, from the studio's records alone; then their users.
    ids = (select(StudioCustomer.id)
           .where(StudioCustomer.studio_id == studio.id, *_conditions(studio, filters, now))
           .order_by(StudioCustomer.search, StudioCustomer.id)
           .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1).subquery())
    rows = db.session.execute(
        select(StudioCustomer, User, _last_visit(studio.id))
        .join(ids, ids.c.id == StudioCustomer.id)
        .join(User, User.id == StudioCustomer.user_id)
        .order_by(StudioCustomer.search, StudioCustomer.id)).all()
    return CustomerPage([CustomerRow(link, user, last) for link, user, last in rows[:PAGE_SIZE]],
                        page, has_next=len(rows) > PAGE_SIZE and page < MAX_PAGE)


def iter_customer_rows(studio, filters: CustomerFilters, now: datetime) -> Iterator[tuple]:
    """Every customer matching `filters` as plain tuples (name, email, phone, emergency
    contact, date of birth, tags, customer since, last visit), read from a server-side cursor
    in batches, so memory stays flat whatever the count."""
    query = (select(User.name, User.email, StudioCustomer.phone,
                    StudioCustomer.emergency_contact, StudioCustomer.birth_date,
                    StudioCustomer.tags, StudioCustomer.created_at, _last_visit(studio.id))
             .join(User, User.id == StudioCustomer.user_id)
             .where(StudioCustomer.studio_id == studio.id,
                    *_conditions(studio, filters, now))
             .order_by(StudioCustomer.search, StudioCustomer.id)
             .execution_options(yield_per=1000))
    yield from db.session.execute(query)


@dataclass
class Duplicate:
    user: User
    link: StudioCustomer
    reasons: list[str]


SIMILAR_NAME = 0.85


def find_duplicates(studio, *, name: str, email: str | None, phone: str | None,
                    birth_date: date | None) -> list[Duplicate]:
    """The studio's customers a new one probably is: the same email, the same phone digits, or
    a very similar folded name with the same birth date. Reasons are codes: email, phone,
    name_birth_date."""
    key = phone_key(phone)
    clauses = []
    if email:
        clauses.append(func.lower(User.email) == email.strip().lower())
    if key:
        clauses.append(StudioCustomer.phone_key == key)
    if birth_date:
        clauses.append(StudioCustomer.birth_date == birth_date)
    if not clauses:
        return []
    found = []
    folded = fold(name)
    rows = db.session.execute(
        select(StudioCustomer, User).join(User, User.id == StudioCustomer.user_id)
        .where(StudioCustomer.studio_id == studio.id, or_(*clauses))
        .order_by(User.name, User.id).limit(20)).all()
    for link, user in rows:
        reasons = []
        if email and (user.email or "").lower() == email.strip().lower():
            reasons.append("email")
        if key and link.phone_key == key:
            reasons.append("phone")
        if (birth_date and link.birth_date == birth_date
                and difflib.SequenceMatcher(None, folded, fold(user.name)).ratio()
                >= SIMILAR_NAME):
            reasons.append("name_birth_date")
        if reasons:
            found.append(Duplicate(user, link, reasons))
    return found
