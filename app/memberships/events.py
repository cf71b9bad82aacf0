"""One-off classes and events with what pays for them: the plans a class accepts, and a priced
event's own ticket (a one-credit drop-in plan sold with that class only, so the existing
checkout, invoices and taxes apply unchanged)."""

from sqlalchemy import select

from app.audit.services import record
from app.core.i18n import format_date
from app.extensions import db
from app.memberships.models import Plan, PlanKind
from app.memberships.services import save_plan
from app.schedule.services import create_class


def _ticket_name(cls, class_type) -> dict:
    day = {lang: format_date(cls.starts_at, cls.timezone, "medium", lang)
           for lang in ("en", "ar")}
    return {lang: f"{name} · {day[lang]}" for lang, name in class_type.name.items()
            if lang in day}


def create_event(studio, *, actor, class_type, plan_ids=(), price_minor: int | None = None,
                 **placed):
    """Place a one-off class or event accepting only `plan_ids` (none: any plan covering its
    type) and, with a price, sell its own ticket; audited."""
    own = set(db.session.scalars(select(Plan.id).where(
        Plan.studio_id == studio.id, Plan.id.in_(plan_ids or [-1]),
        Plan.event_class_id.is_(None))))
    cls = create_class(studio, class_type=class_type, plan_ids=sorted(own), **placed)
    ticket = None
    if price_minor is not None:
        ticket = save_plan(studio, kind=PlanKind.DROP_IN, name=_ticket_name(cls, class_type),
                           price_minor=price_minor, credits=1,
                           eligible_class_type_ids=[class_type.id])
        ticket.event_class_id = cls.id
        # The ticket is accepted beside the plans named (none named: beside any covering plan
        # would let a regular pass in free, so the ticket alone is accepted).
        cls.plan_ids = sorted(own | {ticket.id})
        db.session.flush()
    record("schedule.event_created", actor=actor, studio_id=studio.id, subject=f"class:{cls.id}",
           plan_ids=cls.plan_ids, price_minor=price_minor)
    return cls
