"""Loaders and read helpers for plans and passes."""

from dataclasses import dataclass

from flask import abort
from sqlalchemy import select

from app.core.db import get_in_studio_or_404
from app.extensions import db
from app.memberships.models import Pass, Plan, PlanKind
from app.memberships.services import balances
from app.studios.models import Studio


def list_plans(studio, *, class_type_id: int | None = None, for_class=None) -> list[Plan]:
    """Plans on sale, cheapest first; only those covering `class_type_id` when given, and
    those `for_class` accepts when given. An event's ticket is offered with its event only."""
    plans = db.session.scalars(
        select(Plan).where(Plan.studio_id == studio.id, Plan.active)
        .order_by(Plan.price_minor, Plan.id)).all()
    event_id = for_class.id if for_class is not None else None
    accepted = for_class.plan_ids if for_class is not None else None
    return [p for p in plans if (class_type_id is None or p.covers(class_type_id))
            and p.event_class_id in (None, event_id) and (not accepted or p.id in accepted)]


def group_plans(studio, cls) -> list[Plan]:
    """What a company contact may pay per place for a group in `cls`: the drop-ins (an
    event's ticket among them) on sale for it."""
    return [p for p in list_plans(studio, class_type_id=cls.class_type_id, for_class=cls)
            if p.kind == PlanKind.DROP_IN]


def list_plans_to_accept(studio) -> list[Plan]:
    """The plans a class may name as the ones it accepts (events' tickets aside)."""
    return list(db.session.scalars(
        select(Plan).where(Plan.studio_id == studio.id, Plan.event_class_id.is_(None))
        .order_by(Plan.active.desc(), Plan.price_minor, Plan.id)))


def event_ticket(cls) -> Plan | None:
    """The ticket of a priced one-off event, on sale. An event accepts its own ticket, so a
    class that names no plans has none (and the class page asks nothing more)."""
    if not cls.plan_ids:
        return None
    return db.session.scalar(select(Plan).where(
        Plan.studio_id == cls.studio_id, Plan.event_class_id == cls.id, Plan.active))


def get_plan_or_404(studio, plan_id: int) -> Plan:
    return get_in_studio_or_404(Plan, studio, plan_id)


@dataclass
class WalletEntry:
    pass_: Pass
    credits_left: int | None  # None: unlimited
    studio: Studio | None = None  # whose pass it is


def list_wallet(user, studio=None) -> list[WalletEntry]:
    """The user's passes with credits left, newest first: across studios, or in `studio` only."""
    query = select(Pass).where(Pass.customer_id == user.id)
    if studio is not None:
        query = query.where(Pass.studio_id == studio.id)
    passes = db.session.scalars(
        query.order_by(Pass.created_at.desc(), Pass.id.desc())
    ).unique().all()
    left = balances([p.id for p in passes if not p.is_unlimited])
    studios = studios_by_id({p.studio_id for p in passes})
    return [WalletEntry(p, None if p.is_unlimited else left[p.id], studios[p.studio_id])
            for p in passes]


def studios_by_id(ids: set[int]) -> dict[int, Studio]:
    """The studios with these ids, in one statement (none when there are none)."""
    if not ids:
        return {}
    return {s.id: s for s in db.session.scalars(select(Studio).where(Studio.id.in_(ids)))}


def get_own_pass_or_404(user, pass_id: int) -> Pass:
    pass_ = db.session.get(Pass, pass_id)
    if pass_ is None or pass_.customer_id != user.id:
        abort(404)
    return pass_


def list_studio_plans(studio) -> list[Plan]:
    """Every plan of the studio, on sale or not, for the console (on sale first, by kind)."""
    return db.session.scalars(
        select(Plan).where(Plan.studio_id == studio.id)
        .order_by(Plan.active.desc(), Plan.kind, Plan.price_minor, Plan.id)).all()


def credits_kept(booking_ids: list[int]) -> dict[int, bool]:
    """Per booking that took a credit: True while the credit is kept, False once given back."""
    from app.memberships.models import CreditEntry, CreditReason

    if not booking_ids:
        return {}
    kept: dict[int, bool] = {}
    for booking_id, reason in db.session.execute(
        select(CreditEntry.booking_id, CreditEntry.reason)
        .where(CreditEntry.booking_id.in_(booking_ids),
               CreditEntry.reason.in_((CreditReason.BOOKING, CreditReason.RETURNED)))
        .order_by(CreditEntry.id)
    ):
        kept[booking_id] = reason == CreditReason.BOOKING
    return kept
