"""Merging two accounts that are one person, in one studio: everything the studio holds of the
account dropped moves to the account kept, in one transaction, and the audit log says what
moved. Only this studio's rows move; the account itself stays (other studios may know it), no
longer a customer here. A platform-wide merge is the operator's."""

from sqlalchemy import and_, delete, func, select, update

from app.accounts.models import User
from app.appointments.models import Appointment
from app.audit.services import record
from app.billing.models import GroupBooking, GroupPlace, Invoice, Order, StripeCustomer
from app.bookings.models import ACTIVE, Booking
from app.clients.errors import BothBookedInClass, SameCustomer
from app.clients.models import ClientNote, MergedCustomer
from app.core.db import one_of, utcnow
from app.core.i18n import format_datetime, translated
from app.extensions import db
from app.memberships.models import Pass
from app.schedule.models import ScheduledClass
from app.studios.models import TAGS_MAX, StudioCustomer
from app.training.models import LoggedSet, TrainingPlan, TrainingSession

# Each studio-owned row naming a customer: (what the audit log calls it, model, its column).
MOVED = (
    ("bookings", Booking, Booking.customer_id),
    ("passes", Pass, Pass.customer_id),
    ("orders", Order, Order.customer_id),
    ("invoices", Invoice, Invoice.customer_id),
    ("notes", ClientNote, ClientNote.customer_id),
    ("sessions", Appointment, Appointment.customer_id),
    ("training_plans", TrainingPlan, TrainingPlan.client_id),
    ("workouts", TrainingSession, TrainingSession.client_id),
    ("logged_sets", LoggedSet, LoggedSet.client_id),
)
RECORD_FIELDS = ("phone", "emergency_contact", "birth_date", "company_name", "billing_details")


def _link(studio, user) -> StudioCustomer:
    return db.session.scalar(select(StudioCustomer).where(
        StudioCustomer.studio_id == studio.id, StudioCustomer.user_id == user.id)
        .with_for_update())


def _check_no_shared_class(studio, keep, drop) -> None:
    mine, theirs = Booking.__table__.alias("mine"), Booking.__table__.alias("theirs")
    shared = db.session.execute(
        select(ScheduledClass).join(mine, mine.c.class_id == ScheduledClass.id)
        .join(theirs, and_(theirs.c.class_id == mine.c.class_id,
                           theirs.c.customer_id == drop.id, one_of(theirs.c.status, ACTIVE)))
        .where(mine.c.studio_id == studio.id, mine.c.customer_id == keep.id,
               one_of(mine.c.status, ACTIVE)).limit(1)).scalar()
    if shared is not None:
        raise BothBookedInClass(name=translated(shared.class_type.name, studio.default_language),
                                when=format_datetime(shared.starts_at, shared.timezone))


def _remember(studio, keep: User, drop: User) -> None:
    """Record that `drop` is `keep` here: a booking for `drop` (one waiting for this merge's
    locks, or one made later) lands on `keep`; accounts merged into `drop` before follow."""
    db.session.execute(delete(MergedCustomer).where(
        MergedCustomer.studio_id == studio.id, MergedCustomer.user_id.in_([keep.id, drop.id]))
        .execution_options(synchronize_session=False))
    db.session.execute(update(MergedCustomer).where(
        MergedCustomer.studio_id == studio.id, MergedCustomer.kept_id == drop.id)
        .values(kept_id=keep.id).execution_options(synchronize_session=False))
    db.session.add(MergedCustomer(studio_id=studio.id, user_id=drop.id, kept_id=keep.id,
                                  merged_at=utcnow()))


def merge_customers(studio, keep: User, drop: User, *, actor) -> dict[str, int]:
    """Move the studio's bookings, passes (their credit ledger with them), orders, invoices
    and credit notes, notes, 1:1 sessions, training history and group places from `drop` to
    `keep`; fill the gaps in `keep`'s record from `drop`'s; drop's record goes. Refused when
    both hold an active booking in the same class. Returns the counts moved (audited)."""
    if keep.id == drop.id:
        raise SameCustomer()
    # Both customers' own rows first, in id order (step 1 of the lock order: bookings/services/
    # locks.py): a booking for either waits until the merge is done.
    db.session.execute(select(User.id).where(User.id.in_([keep.id, drop.id]))
                       .order_by(User.id).with_for_update())
    kept, dropped = _link(studio, keep), _link(studio, drop)
    _check_no_shared_class(studio, keep, drop)
    moved = {}
    for name, model, column in MOVED:
        moved[name] = db.session.execute(
            update(model).where(model.studio_id == studio.id, column == drop.id)
            .values({column.key: keep.id}).execution_options(synchronize_session=False)
        ).rowcount
    moved["group_places"] = db.session.execute(
        update(GroupPlace).where(GroupPlace.customer_id == drop.id, GroupPlace.group_id.in_(
            select(GroupBooking.id).where(GroupBooking.studio_id == studio.id)))
        .values(customer_id=keep.id).execution_options(synchronize_session=False)).rowcount
    moved["group_bookings"] = db.session.execute(
        update(GroupBooking).where(GroupBooking.studio_id == studio.id,
                                   GroupBooking.contact_id == drop.id)
        .values(contact_id=keep.id).execution_options(synchronize_session=False)).rowcount
    if not db.session.scalar(select(func.count()).select_from(StripeCustomer).where(
            StripeCustomer.studio_id == studio.id, StripeCustomer.user_id == keep.id)):
        db.session.execute(update(StripeCustomer).where(
            StripeCustomer.studio_id == studio.id, StripeCustomer.user_id == drop.id)
            .values(user_id=keep.id).execution_options(synchronize_session=False))
    for field in RECORD_FIELDS:
        if not getattr(kept, field) and getattr(dropped, field):
            setattr(kept, field, getattr(dropped, field))
    kept.tags = list(dict.fromkeys([*(kept.tags or []), *(dropped.tags or [])]))[:TAGS_MAX]
    if dropped.created_at < kept.created_at:
        kept.created_at = dropped.created_at  # a customer since the first of the two
    db.session.execute(delete(StudioCustomer).where(StudioCustomer.id == dropped.id)
                       .execution_options(synchronize_session=False))
    _remember(studio, keep, drop)
    db.session.expunge(dropped)
    db.session.flush()
    db.session.expire_all()
    record("customer.merged", actor=actor, studio_id=studio.id, subject=f"user:{keep.id}",
           dropped_user_id=drop.id, moved={k: v for k, v in moved.items() if v})
    return moved
