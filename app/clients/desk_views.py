"""The front desk booking on a customer's behalf, from a class's roster in the console and from
the customer's page: book (paid with their pass, or with a pass sold on the spot), cancel (a
late cancel's consequence waived if staff choose), promote from the waitlist, move to another
class; a company's group; a 1:1 session; likely duplicate accounts and their merge. Each
booking answer is the page the action was taken on, or its block for htmx."""

from flask import g, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.accounts.factors.views import second_step_gate
from app.appointments.entitlements import PayBy
from app.appointments.forms import parse_picker_day, parse_type_id
from app.appointments.queries import (
    get_coach_or_404,
    get_session_type_or_404,
    list_session_types,
    slot_picker,
)
from app.billing.errors import NotEnoughPlaces
from app.billing.models import PaymentMethod
from app.billing.services.desk import book_session_for, cancel_booking_for, sell_and_book
from app.bookings.models import BookingStatus
from app.bookings.queries import get_booking_or_404, roster_context
from app.bookings.services import desk
from app.certificates.queries import get_course_or_404, list_courses
from app.clients.forms import (
    CourseGroupForm,
    DeskActionForm,
    DeskBookForm,
    DeskCancelForm,
    DeskMoveForm,
    DeskSessionForm,
    GroupBookingForm,
    MergeForm,
)
from app.clients.manage_views import COURSE, customer_page
from app.clients.queries.customers import CustomerFilters, list_customers
from app.clients.queries.duplicates import list_duplicate_pairs
from app.clients.services.groups import book_course_group_for, book_group_for
from app.clients.services.merge import merge_customers
from app.core.db import utcnow
from app.core.htmx import render, wants_fragment
from app.core.lifecycle import done, perform
from app.memberships.queries import get_plan_or_404, list_plans
from app.schedule.queries import get_class_or_404, local_today
from app.studios.console import console_blueprint
from app.studios.policies import can_work_desk
from app.studios.queries import get_studio_customer_or_404, list_coaches

bp = console_blueprint("clients_desk", __name__, require=can_work_desk)
# The desk takes money and merges people: the console's second step guards it too.
bp.before_request(second_step_gate)
ROSTER = "bookings/manage/roster.html"
FIND_LIMIT = 10


def _book_form(formdata=None) -> DeskBookForm:
    form = DeskBookForm(formdata=formdata) if formdata is not None else DeskBookForm()
    return form.with_plans(list_plans(g.studio), g.studio.default_language)


def _roster(cls, block="class_roster", status=200, **extra):
    return render(ROSTER, block, studio=g.studio, status=status,
                  **roster_context(g.studio, cls, utcnow()), **extra)


def _answer(back: str, customer, cls, message: str, *, status: int = 200, error: bool = False):
    """The page the action was taken on (its block for htmx); a plain POST that worked is a
    303 there with the message flashed."""
    if status < 400 and not wants_fragment():
        to = (url_for("bookings_manage.roster", class_id=cls.id) if back == "roster" else
              url_for("clients_manage.show_customer", customer_id=customer.id))
        return done(message, to)
    key = "desk_error" if error else "desk_message"
    if back == "roster":
        return _roster(cls, status=status, **{key: message})
    _user, link = get_studio_customer_or_404(g.studio, customer.id)
    return customer_page(customer, link, "customer_bookings", status=status, **{key: message})


def _refused(form):
    """Input too broken to show its page again (no class or customer to show it with)."""
    message = next(iter(e for errors in form.errors.values() for e in errors),
                   _("Check the form and try again."))
    # htmx shows it in the page's alert slot and leaves its target as it was.
    return render_template("errors/_alert.html", message=str(message)), 422, \
        {"HX-Reswap": "none", "Vary": "HX-Request"}


def _invalid(form, customer, cls):
    message = next(iter(e for errors in form.errors.values() for e in errors),
                   _("Check the form and try again."))
    return _answer(form.back.data if form.back.data in ("roster", "customer") else "customer",
                   customer, cls, str(message), status=422, error=True)


@bp.get("/desk/classes/<int:class_id>/find")
def find_customer(class_id: int):
    """The roster's "book someone in": the studio's customers matching what was typed."""
    cls = get_class_or_404(g.studio, class_id)
    q = request.args.get("q", "")[:100]
    found = list_customers(g.studio, CustomerFilters(search=q), utcnow(), 1).rows[:FIND_LIMIT] \
        if q.strip() else []
    return _roster(cls, "desk_find", q=q, found=found, book_form=_book_form(formdata={}))


@bp.post("/desk/bookings")
def book():
    form = _book_form()
    if not form.validate_on_submit() and (form.class_id.errors or form.customer_id.errors):
        return _refused(form)
    cls = get_class_or_404(g.studio, form.class_id.data)
    customer, _link = get_studio_customer_or_404(g.studio, form.customer_id.data)
    if form.errors:
        return _invalid(form, customer, cls)
    if form.plan_id.data:
        plan = get_plan_or_404(g.studio, form.plan_id.data)
        paid_by = PaymentMethod(form.paid_by.data) if form.paid_by.data else None
        action = lambda: sell_and_book(g.studio, cls, plan, customer,  # noqa: E731
                                       actor=current_user, paid_by=paid_by).booked
    else:
        action = lambda: desk.book_for(g.studio, cls, customer, actor=current_user)  # noqa: E731
    return perform(action, lambda booked: _answer(
        form.back.data, customer, cls,
        _("%(name)s is booked.", name=customer.name)
        if booked.booking.status == BookingStatus.CONFIRMED else
        _("%(name)s is on the waitlist.", name=customer.name)))


def _booking(booking_id: int):
    booking = get_booking_or_404(g.studio, booking_id)
    return booking, booking.customer, booking.scheduled_class


@bp.post("/desk/bookings/<int:booking_id>/cancel")
def cancel(booking_id: int):
    booking, customer, cls = _booking(booking_id)
    form = DeskCancelForm()
    if not form.validate_on_submit():
        return _invalid(form, customer, cls)
    return perform(
        lambda: cancel_booking_for(g.studio, booking, actor=current_user,
                                   waive_late=form.waive_late.data),
        lambda outcome: _answer(form.back.data, customer, cls, _(
            "Cancelled for %(name)s: %(outcome)s", name=customer.name, outcome=outcome)))


@bp.post("/desk/bookings/<int:booking_id>/promote")
def promote(booking_id: int):
    booking, customer, cls = _booking(booking_id)
    form = DeskActionForm()
    if not form.validate_on_submit():
        return _invalid(form, customer, cls)
    return perform(lambda: desk.promote(g.studio, booking, actor=current_user),
                   lambda _b: _answer(form.back.data, customer, cls,
                                      _("%(name)s has the spot.", name=customer.name)))


@bp.post("/desk/bookings/<int:booking_id>/move")
def move(booking_id: int):
    booking, customer, cls = _booking(booking_id)
    form = DeskMoveForm()
    if not form.validate_on_submit():
        return _invalid(form, customer, cls)
    to = get_class_or_404(g.studio, form.to_class_id.data)
    return perform(lambda: desk.move(g.studio, booking, to, actor=current_user),
                   lambda _b: _answer(form.back.data, customer, cls,
                                      _("%(name)s is moved to the other class.",
                                        name=customer.name)))


@bp.post("/desk/customers/<int:customer_id>/groups")
def book_group(customer_id: int):
    """A company or group contact's places in one class, for the participants named; the answer
    is the order, whose invoice lists them all."""
    contact, link = get_studio_customer_or_404(g.studio, customer_id)
    form = GroupBookingForm().with_plans(list_plans(g.studio), g.studio.default_language)
    if not form.validate_on_submit():
        return customer_page(contact, link, group_form=form, status=422)
    cls = get_class_or_404(g.studio, form.class_id.data)
    plan = get_plan_or_404(g.studio, form.plan_id.data)
    paid_by = PaymentMethod(form.paid_by.data) if form.paid_by.data else None
    return perform(
        lambda: book_group_for(g.studio, cls, contact, form.people, plan, actor=current_user,
                               paid_by=paid_by, confirm=form.confirm.data),
        lambda group: done(ngettext("%(num)s place booked for %(company)s.",
                                    "%(num)s places booked for %(company)s.", group.places,
                                    company=link.company_name or contact.name),
                           url_for("billing_manage.order", order_id=group.order_id)),
        failed=lambda exc: customer_page(
            contact, link, group_form=form, group_error=str(exc), status=exc.status,
            # Some places free: offer those, and the waitlist for the rest.
            group_free=exc.params.get("free", 0) if isinstance(exc, NotEnoughPlaces) else 0))


@bp.post("/desk/customers/<int:customer_id>/course-groups")
def book_course_group(customer_id: int):
    """A company or group contact's places in every session of a course yet to come, for the
    participants named: all or none, one order whose invoice lists them all."""
    contact, link = get_studio_customer_or_404(g.studio, customer_id)
    form = CourseGroupForm(prefix=COURSE).with_choices(list_courses(g.studio), list_plans(g.studio),
                                          g.studio.default_language)
    if not link.company_name:
        return customer_page(contact, link, status=422, group_error=_(
            "Give this customer a company name in their contact details to book places for a "
            "group they pay for."))
    if not form.validate_on_submit():
        return customer_page(contact, link, course_form=form, status=422)
    course = get_course_or_404(g.studio, form.course_id.data)
    plan = get_plan_or_404(g.studio, form.plan_id.data)
    paid_by = PaymentMethod(form.paid_by.data) if form.paid_by.data else None
    return perform(
        lambda: book_course_group_for(g.studio, course, contact, form.people, plan,
                                      actor=current_user, paid_by=paid_by),
        lambda groups: done(ngettext("%(num)s session booked for %(company)s.",
                                     "%(num)s sessions booked for %(company)s.", len(groups),
                                     company=link.company_name),
                            url_for("billing_manage.order", order_id=groups[0].order_id)),
        failed=lambda exc: customer_page(contact, link, course_form=form, status=exc.status,
                                         course_error=str(exc)))


SESSION_PAGE = "clients/manage/desk_session.html"


def _session_page(customer, args, *, form=None, status=200, error=None):
    """The customer's 1:1 session booking: coach, type and day chosen, the coach's free slots."""
    coaches = list_coaches(g.studio)
    coach_id = parse_type_id(args.get("coach_id"))
    coach = next((c for c in coaches if c.id == coach_id), coaches[0] if coaches else None)
    today = local_today(g.studio.timezone)
    picker = coach and slot_picker(g.studio, coach, list_session_types(g.studio, active_only=True),
                                   parse_type_id(args.get("type_id")),
                                   parse_picker_day(args.get("day"), today), today, utcnow())
    return render(SESSION_PAGE, None, studio=g.studio, customer=customer, coaches=coaches,
                  coach=coach, picker=picker, form=form or DeskSessionForm(formdata=None),
                  status=status, error=error)


@bp.get("/desk/customers/<int:customer_id>/sessions")
def session_form(customer_id: int):
    customer, _link = get_studio_customer_or_404(g.studio, customer_id)
    return _session_page(customer, request.args)


@bp.post("/desk/customers/<int:customer_id>/sessions")
def book_session(customer_id: int):
    """A 1:1 session booked for the customer, paid with their credit or its price."""
    customer, _link = get_studio_customer_or_404(g.studio, customer_id)
    form = DeskSessionForm()
    if not form.validate_on_submit():
        return _session_page(customer, request.form, form=form, status=422)
    coach = get_coach_or_404(g.studio, form.coach_id.data)
    session_type = get_session_type_or_404(g.studio, form.type_id.data, active_only=True)
    paid_by = PaymentMethod(form.paid_by.data) if form.paid_by.data else None
    return perform(
        lambda: book_session_for(g.studio, coach, customer, session_type, form.starts_at,
                                 actor=current_user, pay_by=PayBy(form.pay_by.data),
                                 paid_by=paid_by),
        lambda _a: done(_("1:1 session booked for %(name)s.", name=customer.name),
                        url_for("clients_manage.show_customer", customer_id=customer.id)),
        failed=lambda exc: _session_page(customer, request.form, form=form, status=exc.status,
                                         error=str(exc)))


DUPLICATES = "clients/manage/duplicates.html"


def _duplicates_page(form=None, status=200, error=None):
    return render(DUPLICATES, None, studio=g.studio, pairs=list_duplicate_pairs(g.studio),
                  form=form or MergeForm(formdata=None), error=error, status=status)


@bp.get("/customers/duplicates")
def duplicates():
    """The studio's customers who are probably one person, with why they match."""
    return _duplicates_page()


@bp.post("/customers/merge")
def merge():
    form = MergeForm()
    if not form.validate_on_submit():
        return _duplicates_page(form, 422)
    keep, _kept = get_studio_customer_or_404(g.studio, form.keep_id.data)
    drop, _dropped = get_studio_customer_or_404(g.studio, form.drop_id.data)
    return perform(lambda: merge_customers(g.studio, keep, drop, actor=current_user),
                   lambda _moved: done(_("The two accounts are merged into %(name)s.",
                                         name=keep.name),
                                       url_for("clients_manage.show_customer",
                                               customer_id=keep.id)),
                   failed=lambda exc: _duplicates_page(form, exc.status, str(exc)))
