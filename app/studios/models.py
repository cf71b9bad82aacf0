import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    exists,
    inspect,
    select,
)
from sqlalchemy.orm import Mapped, Session, column_property, mapped_column, relationship

from app.accounts.models import User
from app.core.db import TimestampMixin, UTCDateTime, str_enum
from app.core.sealed import Sealed
from app.core.search import fold, phone_key, search_text
from app.extensions import db

# Class reminders a studio may set, and how long before a class the earliest may be.
REMINDERS = 3
REMINDER_MAX_HOURS = 72


class Role(enum.StrEnum):
    OWNER = "owner"
    STUDIO_ADMIN = "studio_admin"
    TRAINER_ADMIN = "trainer_admin"
    TRAINER = "trainer"
    # Customers, bookings and rosters, check-in and desk payments; no settings or refunds.
    FRONT_DESK = "front_desk"


class WaitlistMode(enum.StrEnum):
    AUTO = "auto"    # the first in line is booked at once
    CLAIM = "claim"  # the first in line is offered the spot and must claim it in time


@dataclass(frozen=True)
class Country:
    """What a studio's country decides when it starts: the currency it sells in, the day its
    week starts on (ISO 1 Monday … 7 Sunday), a time zone to suggest, and the tax jurisdiction
    (a province's own for Canada, whose sales taxes differ by province)."""

    currency: str
    first_weekday: int
    zone: str
    provinces: dict = field(default_factory=dict)  # jurisdiction -> suggested zone


COUNTRIES = {
    "SA": Country("SAR", 7, "Asia/Riyadh"),
    "CA": Country("CAD", 1, "America/Toronto", {
        "CA-AB": "America/Edmonton", "CA-BC": "America/Vancouver", "CA-MB": "America/Winnipeg",
        "CA-NB": "America/Moncton", "CA-NL": "America/St_Johns", "CA-NS": "America/Halifax",
        "CA-NT": "America/Yellowknife", "CA-NU": "America/Iqaluit", "CA-ON": "America/Toronto",
        "CA-PE": "America/Halifax", "CA-QC": "America/Toronto", "CA-SK": "America/Regina",
        "CA-YT": "America/Whitehorse"}),
}


# Canada's provinces and territories by tax jurisdiction (app/billing/services/taxes.py).
PROVINCES = {
    "CA-AB": _l("Alberta"), "CA-BC": _l("British Columbia"), "CA-MB": _l("Manitoba"),
    "CA-NB": _l("New Brunswick"), "CA-NL": _l("Newfoundland and Labrador"),
    "CA-NS": _l("Nova Scotia"), "CA-NT": _l("Northwest Territories"), "CA-NU": _l("Nunavut"),
    "CA-ON": _l("Ontario"), "CA-PE": _l("Prince Edward Island"), "CA-QC": _l("Quebec"),
    "CA-SK": _l("Saskatchewan"), "CA-YT": _l("Yukon"),
}

ROLE_NAMES = {Role.OWNER: _l("owner"), Role.STUDIO_ADMIN: _l("studio admin"),
              Role.TRAINER_ADMIN: _l("trainer admin"), Role.TRAINER: _l("trainer"),
              Role.FRONT_DESK: _l("front desk")}


def role_name(role) -> str:
    """A role's name in the reader's language."""
    return str(ROLE_NAMES.get(Role(role), role))


def jurisdiction_name(jurisdiction: str) -> str:
    """A tax jurisdiction's name in the reader's language: "Saudi Arabia", "Canada — Ontario"."""
    if jurisdiction in PROVINCES:
        return _l("Canada — %(province)s", province=PROVINCES[jurisdiction])
    return {"SA": _l("Saudi Arabia")}.get(jurisdiction, jurisdiction or "—")


def jurisdiction_of(country: str, province: str | None) -> str:
    """The tax jurisdiction a location in `country` (and `province`) sells under."""
    return province if COUNTRIES[country].provinces else country


def country_of(jurisdiction: str) -> str:
    return (jurisdiction or "").split("-")[0]


# One language, or Arabic and English on one page (the norm for Saudi tax invoices).
BILINGUAL = "ar+en"
INVOICE_LANGUAGES = ("ar", "en", BILINGUAL)


class Studio(TimestampMixin, db.Model):
    __tablename__ = "studios"
    __table_args__ = (
        CheckConstraint("booking_opens_days >= 0", name="opens_days"),
        CheckConstraint("booking_closes_minutes >= 0", name="closes_minutes"),
        CheckConstraint("cancel_cutoff_minutes >= 0", name="cutoff"),
        CheckConstraint("offer_hold_minutes > 0", name="hold"),
        CheckConstraint("waitlist_cutoff_minutes >= 0", name="waitlist_cutoff"),
        CheckConstraint("free_late_cancels >= 0", name="forgiven"),
        CheckConstraint("max_upcoming_bookings IS NULL OR max_upcoming_bookings > 0",
                        name="cap"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[dict] = mapped_column(JSON, default=dict)
    default_language: Mapped[str] = mapped_column(String(8), default="en")
    # Booking policy.
    booking_opens_days: Mapped[int] = mapped_column(default=14)
    booking_closes_minutes: Mapped[int] = mapped_column(default=0)
    cancel_cutoff_minutes: Mapped[int] = mapped_column(default=12 * 60)
    waitlist_mode: Mapped[WaitlistMode] = mapped_column(
        str_enum(WaitlistMode, "waitlist_mode"), default=WaitlistMode.AUTO
    )
    offer_hold_minutes: Mapped[int] = mapped_column(default=60)
    # No promotion or offer from the waitlist this close to the start.
    waitlist_cutoff_minutes: Mapped[int] = mapped_column(default=0, server_default="0")
    # The first this many late cancels of a customer in 30 days cost nothing.
    free_late_cancels: Mapped[int] = mapped_column(default=0, server_default="0")
    # A late cancel whose spot the waitlist fills costs nothing (credit back, fee dropped).
    auto_waive_late_cancel: Mapped[bool] = mapped_column(default=False, server_default="false")
    # Coaches edit their own weekly hours and time off (in the coach area).
    coaches_set_own_hours: Mapped[bool] = mapped_column(default=False, server_default="false")
    # Upcoming bookings (and waitlist places) a customer may hold in the studio; None: no cap.
    max_upcoming_bookings: Mapped[int | None]
    # Hours before a class its booked customers are reminded (each once, by the worker);
    # at most REMINDERS of them, each 1 to REMINDER_MAX_HOURS.
    reminder_hours: Mapped[list] = mapped_column(JSON, default=lambda: [24, 2],
                                                 server_default="[24, 2]")
    # Money.
    booking_requires_pass: Mapped[bool] = mapped_column(default=False)
    prices_include_tax: Mapped[bool] = mapped_column(default=True)
    tax_numbers: Mapped[list] = mapped_column(JSON, default=list)  # [{"label", "value"}]
    invoice_prefix: Mapped[str] = mapped_column(String(12), default="INV")
    # The language of its invoices and credit notes, one of INVOICE_LANGUAGES: a tax document
    # speaks the seller's choice, never the customer's profile language.
    invoice_language: Mapped[str] = mapped_column(
        String(8), default=lambda ctx: ctx.get_current_parameters().get("default_language") or "en",
        server_default="en")
    # A studio's own taxes on top of its jurisdiction's: [{code, name, rate, from, to}].
    custom_taxes: Mapped[list] = mapped_column(JSON, default=list)
    late_cancel_fee_minor: Mapped[int] = mapped_column(default=0)
    no_show_fee_minor: Mapped[int] = mapped_column(default=0)
    # Pay-at-the-studio orders a customer may leave unpaid per plan kind (0: no cap).
    unpaid_orders_per_kind: Mapped[int] = mapped_column(default=1, server_default="1")
    # Card payments: the studio's own Stripe account. Without both, customers pay at the studio.
    # Stored encrypted (app/core/sealed.py) and loaded only where payments need them.
    stripe_secret_key: Mapped[str | None] = mapped_column(Sealed(), deferred=True)
    stripe_webhook_secret: Mapped[str | None] = mapped_column(Sealed(), deferred=True)
    # Training: loads are logged in this unit; the tablet's steppers move by this much.
    # The day a week starts on (ISO: 1 Monday … 7 Sunday): weekly booking caps, weekly charts
    # and lists of weekdays follow it. Saudi studios start on Sunday.
    first_weekday: Mapped[int] = mapped_column(default=1, server_default="1")
    load_unit: Mapped[str] = mapped_column(String(2), default="kg", server_default="kg")
    load_increment: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("2.5"),
                                                    server_default="2.5")

    # The location that speaks for the studio as a whole (its settings, plans, fees, the pages
    # without a class or appointment of their own). Nullable only because the two tables point
    # at each other: the services that create studios and locations always set it.
    default_location_id: Mapped[int | None] = mapped_column(
        ForeignKey("locations.id", use_alter=True))

    # Profile: what customers read about the studio. Texts are content maps {"en", "ar"}; terms
    # and privacy are shown at sign-up in the studio and at checkout.
    contact_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="", server_default="")
    website: Mapped[str] = mapped_column(String(255), default="", server_default="")
    about: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    terms: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    privacy: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    # The logo as checked and cleaned on upload (PNG, JPEG or sanitised SVG), served from our
    # own origin; `logo_version` (a hash of the bytes) names it in URLs so caches never go stale.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_type: Mapped[str] = mapped_column(String(32), default="", server_default="")
    logo_version: Mapped[str] = mapped_column(String(16), default="", server_default="")
    # Set by the operator: customers are told the studio is closed and nothing is sold or
    # booked (app/studios/policies.py: check_open); staff still sign in and see their data.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    locations: Mapped[list["Location"]] = relationship(
        back_populates="studio", order_by="Location.id", foreign_keys="Location.studio_id"
    )
    default_location: Mapped["Location"] = relationship(
        foreign_keys=[default_location_id], post_update=True)

    @property
    def timezone(self) -> str:
        """The IANA zone the studio as a whole is shown in: its default location's."""
        return self.default_location.timezone

    @property
    def currency(self) -> str:
        """The currency the studio as a whole sells in: its default location's."""
        return self.default_location.currency

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def invoice_languages(self) -> list[str]:
        """The languages each invoice label is printed in, the first setting the page's
        direction: ["ar", "en"] for bilingual invoices."""
        return self.invoice_language.split("+")

    @property
    def takes_cards(self) -> bool:
        """Customers can pay by card (the studio has connected its Stripe account)."""
        return bool(self.stripe_secret_key and self.stripe_webhook_secret)

    def __repr__(self) -> str:
        return f"<Studio {self.slug}>"


class Location(TimestampMixin, db.Model):
    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    name: Mapped[dict] = mapped_column(JSON, default=dict)
    timezone: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    tax_jurisdiction: Mapped[str] = mapped_column(String(12), default="")  # "CA-ON", "SA"
    address: Mapped[str] = mapped_column(String(255), default="")
    # Registration numbers printed on invoices for what is sold here: [{"label", "value"}]
    # (a VAT number, a GST/HST and a QST number); empty: the studio's own numbers.
    tax_numbers: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    studio: Mapped[Studio] = relationship(back_populates="locations", foreign_keys=[studio_id])
    rooms: Mapped[list["Room"]] = relationship(back_populates="location", order_by="Room.id")

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Room(TimestampMixin, db.Model):
    """A room of a location: classes are held in one, at most `capacity` people."""

    __tablename__ = "rooms"
    __table_args__ = (CheckConstraint("capacity > 0", name="room_capacity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    name: Mapped[dict] = mapped_column(JSON, default=dict)
    capacity: Mapped[int] = mapped_column(default=20)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    location: Mapped[Location] = relationship(back_populates="rooms")

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class StaffRole(TimestampMixin, db.Model):
    __tablename__ = "staff_roles"
    __table_args__ = (UniqueConstraint("studio_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "staff_role"))

    user = relationship("User")
    studio: Mapped[Studio] = relationship()


# Whether a user is staff anywhere: read with the signed-in user (accounts' user loader), so a
# customer's pages skip the navigation's staff query. Deferred: other user loads leave it out.
User.is_staff = column_property(
    exists().where(StaffRole.user_id == User.id).correlate_except(StaffRole), deferred=True)


TAGS_MAX = 10
TAG_LENGTH = 30


class StudioCustomer(TimestampMixin, db.Model):
    """A customer known to a studio (made on first booking or by staff), with the studio's own
    record of them: a User is shared across studios, these contact details and tags are not."""

    __tablename__ = "studio_customers"
    __table_args__ = (
        UniqueConstraint("studio_id", "user_id"),
        Index("ix_studio_customers_phone_key", "studio_id", "phone_key"),
        # The customers list's order (the folded name leads the search column).
        Index("ix_studio_customers_studio_search", "studio_id", "search"),
        # Substring search (LIKE '%…%') on the folded column: trigrams, PostgreSQL only.
        Index("ix_studio_customers_search_trgm", "search", postgresql_using="gin",
              postgresql_ops={"search": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    phone: Mapped[str] = mapped_column(String(32), default="", server_default="")
    phone_key: Mapped[str] = mapped_column(String(32), default="", server_default="")
    emergency_contact: Mapped[str] = mapped_column(String(160), default="", server_default="")
    birth_date: Mapped[date | None] = mapped_column(Date)
    tags: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    # "|tag|other|", folded: the tag filter is a LIKE on it in every database.
    tag_keys: Mapped[str] = mapped_column(String(400), default="", server_default="")
    # The user's name and email and this record's phone, folded (app/core/search.py); kept up
    # to date on every write by the flush hook below.
    search: Mapped[str] = mapped_column(Text, default="", server_default="")
    # A company or group contact: who the studio invoices for the places they book.
    company_name: Mapped[str] = mapped_column(String(160), default="", server_default="")
    billing_details: Mapped[str] = mapped_column(String(500), default="", server_default="")

    user = relationship("User")

    def refresh_search(self, user=None) -> None:
        """Derive the folded search, phone and tag columns from the record and its user."""
        user = user or self.user
        self.search = search_text(user.name, user.email, phone=self.phone)
        self.phone_key = phone_key(self.phone)
        self.tag_keys = "".join(f"|{fold(t)}" for t in self.tags or []) + ("|" if self.tags else "")


_SEARCHED = ("phone", "tags", "user_id")


@event.listens_for(Session, "before_flush")
def _keep_search_current(session, _context, _instances):
    """Every write of a name, an email or a phone refreshes the studio records' search column,
    whichever service made it (profile edits, desk edits, new customers)."""
    users = {}
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, StudioCustomer):
            state = inspect(obj)
            if obj in session.new or any(state.attrs[a].history.has_changes() for a in _SEARCHED):
                user = obj.user or (obj.user_id and session.get(User, obj.user_id))
                if user is not None:
                    obj.refresh_search(user)
        elif isinstance(obj, User) and obj not in session.new:
            state = inspect(obj)
            if state.attrs.name.history.has_changes() or state.attrs.email.history.has_changes():
                users[obj.id] = obj
    if users:
        links = session.scalars(select(StudioCustomer)
                                .where(StudioCustomer.user_id.in_(list(users)))).all()
        for link in links:
            link.refresh_search(users[link.user_id])


class Invitation(TimestampMixin, db.Model):
    """An e-mailed invitation to take a staff role in a studio (the operator inviting a new
    studio's owner): the link carries its id signed, expires, and is accepted once."""

    __tablename__ = "staff_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(str_enum(Role, "staff_role"))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    studio: Mapped[Studio] = relationship()
