"""What a roster tells the coach about each person: the seam where other domains add what they
own (credits, money owed, private notes). Bookings itself knows who comes for the first time;
the clients domain installs the full provider (app/__init__.py: _connect_domains)."""

from dataclasses import dataclass, field

from sqlalchemy import select

from app.bookings.models import Booking, BookingStatus
from app.extensions import db
from app.schedule.models import ScheduledClass

# A booking that counts as having been to (or held a place at) the studio before.
VISITS = (BookingStatus.CONFIRMED, BookingStatus.ATTENDED, BookingStatus.NO_SHOW,
          BookingStatus.LATE_CANCELLED)


@dataclass
class PersonFacts:
    """One roster row's extras. `credits_left` None with `has_pass`: unlimited."""

    first_visit: bool = False
    has_pass: bool = False
    credits_left: int | None = None
    owed: list[tuple[int, str]] = field(default_factory=list)  # (minor units, currency)
    has_notes: bool = False


def first_visits(cls: ScheduledClass, customer_ids: list[int]) -> set[int]:
    """Those of `customer_ids` with no booking at the class's studio before this class."""
    if not customer_ids:
        return set()
    been = set(db.session.scalars(
        select(Booking.customer_id).distinct()
        .join(ScheduledClass, ScheduledClass.id == Booking.class_id)
        .where(Booking.studio_id == cls.studio_id, Booking.customer_id.in_(customer_ids),
               Booking.status.in_(VISITS), ScheduledClass.starts_at < cls.starts_at)))
    return set(customer_ids) - been


class BookingFacts:
    """Only what bookings know: who comes for the first time."""

    def facts(self, cls: ScheduledClass, customer_ids: list[int], now) -> dict[int, PersonFacts]:
        first = first_visits(cls, customer_ids)
        return {cid: PersonFacts(first_visit=cid in first) for cid in customer_ids}


_provider = BookingFacts()


def roster_facts(cls: ScheduledClass, roster: list[Booking], now) -> dict[int, PersonFacts]:
    """Per customer on `roster`, what the coach should know (a fixed number of statements)."""
    return _provider.facts(cls, sorted({b.customer_id for b in roster}), now)


def install(new_provider) -> None:
    """Replace the provider (called once by the domain that knows more about people)."""
    global _provider
    _provider = new_provider
