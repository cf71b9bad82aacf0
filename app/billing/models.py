import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin, UTCDateTime, str_enum
from app.extensions import db


class OrderStatus(enum.StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    CANCELLED = "cancelled"


class PaymentMethodKind(enum.StrEnum):
    """How the customer chose to pay when ordering."""

    AT_STUDIO = "at_studio"  # the pass is theirs at once; staff record the payment
    CARD = "card"            # Stripe Checkout; the pass comes with the payment


class PaymentMethod(enum.StrEnum):
    STRIPE = "stripe"
    CASH = "cash"
    CARD_TERMINAL = "card_terminal"


class Order(TimestampMixin, db.Model):
    """One purchase of one plan. Prices and taxes are frozen when the order is placed."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("gross_minor = net_minor + tax_minor", name="sums"),
        Index("ix_orders_studio_created", "studio_id", "created_at"),
        UniqueConstraint("customer_id", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"))  # None: a fee
    fee_booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), unique=True)
    # A 1:1 session's price, or its late-cancel fee (app/billing/services/sessions.py).
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"),
                                                       unique=True)
    fee_appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"),
                                                           unique=True)
    status: Mapped[OrderStatus] = mapped_column(str_enum(OrderStatus, "order_status"))
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[dict] = mapped_column(JSON, default=dict)  # the plan's name, frozen
    quantity: Mapped[int] = mapped_column(default=1)
    unit_minor: Mapped[int]
    net_minor: Mapped[int]
    tax_minor: Mapped[int]
    gross_minor: Mapped[int]
    taxes: Mapped[list] = mapped_column(JSON, default=list)  # [{code, name, rate, amount_minor}]
    prices_include_tax: Mapped[bool]
    # One order per key and customer: a key another customer sent is theirs, not a replay.
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payment_method_kind: Mapped[PaymentMethodKind] = mapped_column(
        str_enum(PaymentMethodKind, "payment_method_kind"), default=PaymentMethodKind.AT_STUDIO,
        server_default=PaymentMethodKind.AT_STUDIO.value)
    booking_class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id"))  # buy and book
    # Where it is sold (app/billing/services/selling.py: selling_location): its jurisdiction set
    # the taxes, its currency the order's, its address the invoice's. None: before locations sold.
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    stripe_checkout_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255), index=True)
    stripe_invoice_id: Mapped[str | None] = mapped_column(String(255), unique=True)

    customer = relationship("User")
    plan = relationship("Plan")
    location = relationship("Location")
    payments: Mapped[list["Payment"]] = relationship(back_populates="order", order_by="Payment.id")
    # The group bookings it pays for (a course's: one per session), loaded with the locked
    # order (lock_order).
    groups = relationship("GroupBooking", primaryjoin="GroupBooking.order_id == Order.id",
                          viewonly=True, order_by="GroupBooking.id")

    @property
    def paid_minor(self) -> int:
        return sum(p.amount_minor for p in self.payments)

    @property
    def is_card(self) -> bool:
        return self.payment_method_kind == PaymentMethodKind.CARD


class Payment(TimestampMixin, db.Model):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount"),
        CheckConstraint("refunded_minor >= 0 AND refunded_minor <= amount_minor", name="refunded"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    amount_minor: Mapped[int]
    refunded_minor: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[PaymentMethod] = mapped_column(str_enum(PaymentMethod, "payment_method"))
    reference: Mapped[str] = mapped_column(String(120), default="")  # Stripe id or desk note
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)

    order: Mapped[Order] = relationship(back_populates="payments")

    @property
    def refundable_minor(self) -> int:
        return self.amount_minor - self.refunded_minor


class Refund(TimestampMixin, db.Model):
    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    amount_minor: Mapped[int]
    reason: Mapped[str] = mapped_column(String(255), default="")
    reference: Mapped[str] = mapped_column(String(120), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    # Made outside FitFlow (the Stripe dashboard) and recorded from a webhook.
    made_in_stripe: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    payment: Mapped[Payment] = relationship()


class DocumentKind(enum.StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class DocumentSequence(db.Model):
    """The next number per studio and kind; locked while a number is taken (no gaps)."""

    __tablename__ = "document_sequences"
    __table_args__ = (UniqueConstraint("studio_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"))
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, "document_kind"))
    next_value: Mapped[int] = mapped_column(default=1)


class Invoice(TimestampMixin, db.Model):
    """An invoice or credit note: numbered, frozen at issue, rendered to PDF once."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("studio_id", "kind", "sequence"),
        UniqueConstraint("studio_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"))
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, "document_kind"))
    sequence: Mapped[int]
    number: Mapped[str] = mapped_column(String(40))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"), unique=True)
    reference_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locale: Mapped[str] = mapped_column(String(8))
    snapshot: Mapped[dict] = mapped_column(JSON)
    gross_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))

    order: Mapped[Order] = relationship()
    reference = relationship("Invoice", remote_side=[id])


class StripeEvent(db.Model):
    """A verified Stripe webhook event, stored as it arrives and applied once by the worker
    (processed_at set, with the outcome); the event id, unique per studio (each studio has its
    own Stripe account), makes a redelivery of an applied event a no-op."""

    __tablename__ = "stripe_events"
    __table_args__ = (
        UniqueConstraint("studio_id", "event_id"),
        Index("ix_stripe_events_unapplied", "received_at",
              postgresql_where=text("processed_at IS NULL"),
              sqlite_where=text("processed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(100))
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    payload: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "" until applied; then processed / ignored: … / failed: … / deferred: …
    outcome: Mapped[str] = mapped_column(String(255), default="")
    # A deferred event names what it waits for (e.g. "pi:pi_123") and runs again when it comes.
    waiting_for: Mapped[str | None] = mapped_column(String(255), index=True)


class StripeCustomer(TimestampMixin, db.Model):
    """A user's customer id in one studio's Stripe account, reused for every later checkout."""

    __tablename__ = "stripe_customers"
    __table_args__ = (UniqueConstraint("studio_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    customer_id: Mapped[str] = mapped_column(String(255))


class StripeSubscription(TimestampMixin, db.Model):
    """What we know of one Stripe subscription (a membership paid by card), merged from events
    in any order: periods only grow, the cancel flag follows the newest snapshot, an end is
    final. The membership pass mirrors it."""

    __tablename__ = "stripe_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    subscription_id: Mapped[str] = mapped_column(String(255), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)  # the first order
    status: Mapped[str] = mapped_column(String(30), default="")
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False)
    ended: Mapped[bool] = mapped_column(default=False)
    period_start: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the earliest seen
    period_end: Mapped[datetime | None] = mapped_column(UTCDateTime)    # the latest seen
    state_at: Mapped[int] = mapped_column(default=0)  # `created` of the snapshot applied last


class GroupBooking(TimestampMixin, db.Model):
    """Places in one class booked at once for a company or group contact: one order (paid by
    the contact), one booking per named participant (group_places). A whole course booked for
    a group is one of these per session, on one order, each naming the course."""

    __tablename__ = "group_bookings"
    __table_args__ = (CheckConstraint("places > 0", name="places"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # One order per group; a course's group is one row per session, all paid by one order.
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    places: Mapped[int]

    contact = relationship("User", foreign_keys=[contact_id])
    order = relationship("Order")
    scheduled_class = relationship("ScheduledClass")
    members: Mapped[list["GroupPlace"]] = relationship(back_populates="group",
                                                       order_by="GroupPlace.id")


class GroupPlace(db.Model):
    """One participant's place in a group booking: their own booking, paid by the group."""

    __tablename__ = "group_places"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("group_bookings.id"), index=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Money given back for this place when it was cancelled in time (a credit note).
    refunded_minor: Mapped[int] = mapped_column(default=0, server_default="0")

    group: Mapped[GroupBooking] = relationship(back_populates="members")
    booking = relationship("Booking")
    customer = relationship("User")


class PrintRunStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"


ACTIVE_RUN = (PrintRunStatus.QUEUED, PrintRunStatus.RUNNING)


class PrintRun(TimestampMixin, db.Model):
    """Every invoice and credit note a studio issued between two local dates, rendered by a job
    into one PDF and a ZIP of the single PDFs; `done` moves as the job goes (committed beside the
    job's own transaction) so a progress bar can follow it. The files (PrintFilePart rows) are
    kept until `expires_at`."""

    __tablename__ = "print_runs"
    __table_args__ = (
        CheckConstraint("done >= 0 AND done <= total", name="done_in_range"),
        CheckConstraint("date_from <= date_to", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    date_from: Mapped[date]
    date_to: Mapped[date]
    total: Mapped[int]
    done: Mapped[int] = mapped_column(default=0, server_default="0")
    pages: Mapped[int | None]
    status: Mapped[PrintRunStatus] = mapped_column(
        str_enum(PrintRunStatus, "print_run_status"), default=PrintRunStatus.QUEUED)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    studio = relationship("Studio")
    created_by = relationship("User")

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_RUN

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


class PrintFileKind(enum.StrEnum):
    PDF = "pdf"  # every document merged, each on a new page
    ZIP = "zip"  # the single PDFs


class PrintFilePart(db.Model):
    """One piece of a print run's file, in order: a file is stored and sent a piece at a time,
    so neither the job nor the download ever holds a whole run in memory."""

    __tablename__ = "print_file_parts"
    __table_args__ = (UniqueConstraint("print_run_id", "kind", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    print_run_id: Mapped[int] = mapped_column(ForeignKey("print_runs.id", ondelete="CASCADE"))
    kind: Mapped[PrintFileKind] = mapped_column(str_enum(PrintFileKind, "print_file_kind"))
    seq: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
