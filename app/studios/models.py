import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
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
from app.core.db import TimestampMixin, str_enum
from app.core.sealed import Sealed
from app.core.search import fold, phone_key, search_text
from app.extensions import db


class Role(enum.StrEnum):
    OWNER = "owner"
    STUDIO_ADMIN = "studio_admin"
    TRAINER_ADMIN = "trainer_admin"
    TRAINER = "trainer"


class WaitlistMode(enum.StrEnum):
    AUTO = "auto"    # the first in line is booked at once
    CLAIM = "claim"  # the first in line is offered the spot and must claim it in time


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

    studio: Mapped[Studio] = relationship(back_populates="locations", foreign_keys=[studio_id])
    rooms: Mapped[list["Room"]] = relationship(back_populates="location", order_by="Room.id")


class Room(TimestampMixin, db.Model):
    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    name: Mapped[dict] = mapped_column(JSON, default=dict)
    capacity: Mapped[int] = mapped_column(default=20)

    location: Mapped[Location] = relationship(back_populates="rooms")


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
