"""A company or group contact on the phone: places in a class (or in every session of a
course it belongs to) for their group, the total for that many shown first, then paid by card
(Stripe Checkout holds the places while it is open) or at the studio. The same services as the
desk's (app/clients/services/groups.py)."""

import uuid
from datetime import timedelta

from flask import Blueprint, abort, redirect, url_for
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.billing.models import OrderStatus, PaymentMethodKind
from app.billing.services.checkout import start_checkout
from app.billing.services.course_groups import MAX_SESSIONS
from app.billing.services.orders import price
from app.billing.services.selling import selling_location
from app.certificates.queries import course_sessions, courses_of_class, get_course_or_404
from app.clients.forms import GroupRequestForm
from app.clients.services.groups import book_course_group_for, book_group_for
from app.core.db import utcnow
from app.core.htmx import render
from app.core.lifecycle import done, perform
from app.memberships.queries import get_plan_or_404, group_plans
from app.schedule.queries import get_studio_class_or_404
from app.studios.policies import can_book_for_group

bp = Blueprint("clients", __name__)
PAGE = "clients/group.html"
# How long Stripe Checkout (and so the places it holds) stays open.
CHECKOUT_HOLD = timedelta(minutes=30)


def _form(studio, cls):
    """The drop-ins a place may be paid with, and the form offering them (and the courses
    the class is a session of)."""
    plans = group_plans(studio, cls)
    return plans, GroupRequestForm().with_plans(plans, studio.default_language,
                                                takes_cards=studio.takes_cards,
                                                courses=courses_of_class(studio, cls))


def _page(studio, cls, plans, form, *, status=200, quote=None, plan=None, sessions=1,
          error=None):
    return render(PAGE, "group_form", status=status, studio=studio, cls=cls, plans=plans,
                  form=form, quote=quote, plan=plan, sessions=sessions, error=error)


@bp.get("/s/<studio>/classes/<int:class_id>/group")
@login_required
def group_form(studio: str, class_id: int):
    studio, cls = get_studio_class_or_404(studio, class_id)
    if not can_book_for_group(current_user, studio):
        # A link passed on: what group booking needs, and no form.
        return render(PAGE, "group_form", studio=studio, cls=cls, plans=[], form=None,
                      not_contact=True)
    plans, form = _form(studio, cls)
    form.idempotency_key.data = uuid.uuid4().hex
    return _page(studio, cls, plans, form)


@bp.post("/s/<studio>/classes/<int:class_id>/group")
@login_required
def book_group(studio: str, class_id: int):
    """The total for the places first; then the places booked, paid by card or at the studio."""
    studio, cls = get_studio_class_or_404(studio, class_id)
    if not can_book_for_group(current_user, studio):
        abort(404)  # a customer who is no company contact books no group
    plans, form = _form(studio, cls)
    if not form.validate_on_submit():
        return _page(studio, cls, plans, form, status=422)
    plan = get_plan_or_404(studio, form.plan_id.data)
    if form.step.data == "edit":
        return _page(studio, cls, plans, form)
    course = get_course_or_404(studio, form.course_id.data) if form.course_id.data else None
    if form.step.data != "book":
        sessions = len(course_sessions(studio, course, utcnow(), limit=MAX_SESSIONS + 1)) \
            if course else 1
        quote = price(studio, plan, quantity=len(form.people) * max(sessions, 1),
                      location=selling_location(studio, booking_class=cls))
        return _page(studio, cls, plans, form, quote=quote, plan=plan, sessions=sessions)
    card = form.pay.data == "card"

    def book() -> str:
        options = dict(actor=current_user, staff=False,
                       method=PaymentMethodKind.CARD if card else PaymentMethodKind.AT_STUDIO,
                       idempotency_key=form.idempotency_key.data or None)
        if course is not None:
            order = book_course_group_for(studio, course, current_user, form.people, plan,
                                          **options)[0].order
        else:
            order = book_group_for(studio, cls, current_user, form.people, plan,
                                   **options).order
        if not order.is_card or order.status != OrderStatus.AWAITING_PAYMENT:
            return url_for("billing.my_order", order_id=order.id)
        return start_checkout(
            # From the order's own time: the same tap again asks Stripe the same thing.
            studio, order, expires_at=order.created_at + CHECKOUT_HOLD,
            success_url=url_for("billing.my_order", order_id=order.id, _external=True),
            cancel_url=url_for("clients.group_form", studio=studio.slug, class_id=cls.id,
                               _external=True))

    return perform(
        book,
        lambda target: redirect(target, 303) if card else done(
            ngettext("%(num)s place is booked. Please pay at the studio.",
                     "%(num)s places are booked. Please pay at the studio.",
                     len(form.people)), target),
        failed=lambda exc: _page(studio, cls, plans, form, status=exc.status, error=str(exc)))
