"""A group booked on a whole course: every session yet to come, all or nothing across them,
one order (the plan × places × sessions) and one invoice to the contact. The classes are locked
in id order, as a move locks its two (app/bookings/services/locks.py), so two groups booking
overlapping courses queue rather than deadlock; a session that cannot take the whole group
refuses the whole course."""

from flask_babel import force_locale
from flask_babel import gettext as _

from app.audit.services import record
from app.billing.errors import CourseHasNoSessions, CourseTooLong, SessionFull
from app.billing.models import GroupBooking, PaymentMethod, PaymentMethodKind
from app.billing.services.groups import (
    check_group,
    open_group_order,
    take_places,
    tell_participants,
)
from app.billing.services.selling import selling_location
from app.certificates.queries import course_sessions
from app.core.db import utcnow
from app.core.i18n import format_datetime, format_list, translated

MAX_SESSIONS = 30


def _description(studio, course, plan, sessions: int, participants) -> dict:
    """The order's (and the invoice's) line: the course, its sessions, and everyone it is for."""
    names = format_list([p.name for p in participants])
    out = {}
    for lang in ("en", "ar"):
        with force_locale(lang):
            out[lang] = _("%(plan)s × %(count)s × %(sessions)s sessions: %(course)s — %(names)s",
                          plan=translated(plan.name, studio.default_language, lang),
                          count=len(participants), sessions=sessions,
                          course=translated(course.name, studio.default_language, lang),
                          names=names)
    return out


def book_course_group(studio, course, contact, participants: list, plan, *, actor,
                      paid_by: PaymentMethod | None = None,
                      method: PaymentMethodKind = PaymentMethodKind.AT_STUDIO,
                      staff: bool = True, idempotency_key: str | None = None,
                      now=None) -> list[GroupBooking]:
    """Book a place per participant in every session of `course` yet to come, paid by
    `contact` with one order; all or nothing (SessionFull names the session that cannot take
    them). Card orders hold the places while Checkout is open, as book_group's do."""
    now = now or utcnow()
    ids, places = check_group(participants, None)
    classes = course_sessions(studio, course, now, limit=MAX_SESSIONS + 1)
    if not classes:
        raise CourseHasNoSessions()
    if len(classes) > MAX_SESSIONS:
        raise CourseTooLong(max=MAX_SESSIONS)
    order = open_group_order(
        studio, contact, participants, plan, quantity=places * len(classes),
        description=_description(studio, course, plan, len(classes), participants),
        location=selling_location(studio, booking_class=min(classes, key=lambda c: c.starts_at)),
        actor=actor, paid_by=paid_by, method=method, staff=staff,
        idempotency_key=idempotency_key, now=now)
    if idempotency_key and order.groups:  # the same tap again
        return list(order.groups)
    groups = []
    for cls in classes:  # in id order (course_sessions)
        when = format_datetime(cls.starts_at, cls.timezone)
        group, _waitlisted, _taken, _free = take_places(
            studio, cls, contact, participants, order, confirm=places, actor=actor,
            staff=staff, now=now, course_id=course.id,
            refusal=lambda free, when=when: SessionFull(free=free, wanted=places, when=when))
        groups.append(group)
    if not order.is_card:  # a card order's participants are told once it is paid
        for group in groups:
            tell_participants(group)
    record("group.course_booked", actor=actor, studio_id=studio.id,
           subject=f"course:{course.id}", contact_id=contact.id, order_id=order.id,
           classes=[g.class_id for g in groups], participants=ids,
           method=str(order.payment_method_kind))
    return groups
