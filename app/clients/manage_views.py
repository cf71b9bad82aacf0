"""The studio console's customers (the front desk): every customer of the studio, searched and
filtered, as a page or a CSV; a customer's page with the studio's record of them; adding a
customer without a password. Guarded by app/clients/policies.py: can_manage_customers."""

import csv
import io

from flask import Response, g, redirect, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.policies import fresh_auth_required
from app.certificates.queries import list_courses
from app.clients.forms import (
    SHOW_LABELS,
    ContactForm,
    CourseGroupForm,
    CustomerFilterForm,
    DeskBookForm,
    GroupBookingForm,
    NewCustomerForm,
)
from app.clients.policies import can_manage_customers
from app.clients.queries.customers import (
    find_duplicates,
    iter_customer_rows,
    list_customers,
)
from app.clients.queries.desk import customer_file, desk_choices
from app.clients.services import add_note
from app.clients.services.customers import add_customer, update_contact
from app.core.db import utcnow
from app.core.htmx import render, wants_fragment
from app.core.lifecycle import done, perform
from app.memberships.queries import list_plans
from app.notifications.queries import studio_log
from app.studios.console import console_blueprint
from app.studios.queries import get_studio_customer_or_404

bp = console_blueprint("clients_manage", __name__, require=can_manage_customers)
LIST = "clients/manage/customers.html"
PAGE = "clients/manage/customer.html"
NEW = "clients/manage/new_customer.html"
CSV_HEADER = ("name", "email", "phone", "emergency_contact", "birth_date", "tags",
              "customer_since", "last_visit")


@bp.get("/customers")
def customers():
    form = CustomerFilterForm(request.args)
    valid = form.validate()
    found = list_customers(g.studio, form.filters(), utcnow(),
                           request.args.get("page", 1, type=int))
    return render(LIST, "customer_results", studio=g.studio, form=form, found=found,
                  args=form.query(), shows=SHOW_LABELS,
                  tz=g.studio.timezone, status=200 if valid else 422)


def _cell(value) -> str:
    """A CSV cell a spreadsheet shows as text: a formula's first character is escaped."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _with_bom(chunks):
    yield "\ufeff"
    yield from chunks


def _take(out: io.StringIO) -> str:
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text


@bp.get("/customers.csv")
@fresh_auth_required(why="export")
def customers_csv():
    form = CustomerFilterForm(request.args)
    form.validate()
    filters, now = form.filters(), utcnow()

    def lines():
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_HEADER)
        for n, row in enumerate(iter_customer_rows(g.studio, filters, now), 1):
            name, email, phone, emergency, born, tags, since, last = row
            writer.writerow([_cell(v) for v in (
                name, email, phone, emergency, born.isoformat() if born else "",
                ", ".join(tags or []), since.date().isoformat(),
                last.date().isoformat() if last else "")])
            if n % 500 == 0:  # a chunk at a time: memory stays flat however many rows
                yield _take(out)
        yield _take(out)

    # The BOM first, so Excel reads the Arabic as UTF-8.
    body = stream_with_context(_with_bom(lines()))
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="{g.studio.slug}-customers.csv"'})


COURSE = "course"  # the course form's field names, beside the one-class group form's


def customer_page(customer, link, block=None, *, contact_form=None, group_form=None,
                  course_form=None, status=200, **extra):
    """The customer's page, or one block of it for htmx; one context for both (the desk's
    booking actions answer with its bookings block: app/clients/desk_views.py)."""
    now = utcnow()
    file = customer_file(g.studio, customer, link, now)
    form = contact_form or ContactForm(formdata=None, obj=link)
    plans = list_plans(g.studio)
    book_form = DeskBookForm(formdata=None).with_plans(plans, g.studio.default_language)
    group_form = group_form or GroupBookingForm(formdata=None).with_plans(
        plans, g.studio.default_language)
    courses = list_courses(g.studio) if link.company_name else []
    course_form = course_form or CourseGroupForm(formdata=None, prefix=COURSE).with_choices(
        courses, plans, g.studio.default_language)
    return render(PAGE, block, studio=g.studio, file=file, profile=file.profile,
                  customer=customer, contact_form=form, now=now, tz=g.studio.timezone,
                  desk=desk_choices(g.studio, file.profile.upcoming, now), book_form=book_form,
                  group_form=group_form, course_form=course_form,
                  messages=studio_log(g.studio.id, customer.id),
                  status=status, **extra)


@bp.get("/customers/<int:customer_id>")
def show_customer(customer_id: int):
    customer, link = get_studio_customer_or_404(g.studio, customer_id)
    return customer_page(customer, link)


@bp.post("/customers/<int:customer_id>/contact")
def update_customer_contact(customer_id: int):
    customer, link = get_studio_customer_or_404(g.studio, customer_id)
    form = ContactForm()
    if not form.validate_on_submit():
        return customer_page(customer, link, "customer_contact", contact_form=form, status=422)

    def saved(_changed):
        if not wants_fragment():
            return done(_("Contact details saved."),
                        url_for(".show_customer", customer_id=customer.id))
        return customer_page(customer, link, "customer_contact", contact_form=form, saved=True)

    return perform(lambda: update_contact(g.studio, link, actor=current_user, **form.values()),
                   saved, failed=lambda exc: customer_page(customer, link, "customer_contact",
                                                           contact_form=form, status=exc.status,
                                                           error=str(exc)))


@bp.post("/customers/<int:customer_id>/notes")
def create_customer_note(customer_id: int):
    customer, link = get_studio_customer_or_404(g.studio, customer_id)
    body = request.form.get("body", "")

    def saved(_note):
        if not wants_fragment():
            return redirect(url_for(".show_customer", customer_id=customer.id), 303)
        return customer_page(customer, link, "client_notes", saved=True)

    return perform(lambda: add_note(g.studio, customer, body, actor=current_user), saved,
                   failed=lambda exc: customer_page(customer, link, "client_notes",
                                                    status=exc.status, error=str(exc),
                                                    body=body[:5000]))


def _new_page(form, status=200, duplicates=(), **extra):
    return render(NEW, "new_customer_form", studio=g.studio, form=form,
                  duplicates=duplicates, status=status, **extra)


@bp.get("/customers/new")
def new_customer():
    return _new_page(NewCustomerForm(formdata=None))


@bp.post("/customers/new")
def create_customer():
    form = NewCustomerForm()
    if not form.validate_on_submit():
        return _new_page(form, 422)
    values = form.values()
    if not form.save_anyway.data:
        duplicates = find_duplicates(g.studio, **values)
        if duplicates:  # shown before saving; "save anyway" confirms
            return _new_page(form, 409, duplicates)
    return perform(lambda: add_customer(g.studio, actor=current_user, **values),
                   lambda link: done(_("Customer added."),
                                     url_for(".show_customer", customer_id=link.user_id)),
                   failed=lambda exc: _new_page(form, exc.status, error=str(exc)))
