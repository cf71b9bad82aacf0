"""The studio's reports (/manage/<studio>/reports): one page with every report for a period,
and a CSV of each report's table. Owners and studio admins only. And /manage/, the studios a
person runs, with the owner's overview of those whose reports they may see."""

import csv
import io

from flask import Blueprint, Response, abort, g, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.policies import fresh_auth_required
from app.core.db import utcnow
from app.core.htmx import render
from app.reports.forms import OverviewForm, ReportFilterForm
from app.reports.queries.attendance import attendance, utilisation
from app.reports.queries.bookings import booking_columns, iter_booking_batches
from app.reports.queries.certificates import certificates
from app.reports.queries.demand import time_slots, waitlist_demand
from app.reports.queries.overview import overview
from app.reports.queries.owed import money_owed
from app.reports.queries.retention import cohorts, memberships
from app.reports.queries.revenue import revenue, taxes
from app.reports.services import refresh_here
from app.schedule.queries import list_class_types, local_today
from app.studios.console import console_blueprint, may_open
from app.studios.policies import can_manage_studio, console_studios
from app.studios.queries import list_locations, load_locations

bp = console_blueprint("reports_manage", __name__, require=can_manage_studio)
home = Blueprint("manage", __name__, url_prefix="/manage")
PAGE = "reports/manage/reports.html"


@home.get("/")
@login_required
def index():
    studios = console_studios(current_user)
    if not studios:
        abort(404)
    load_locations(studios)
    visible = [s for s in studios if may_open(current_user, s, "reports_manage.reports")]
    form = OverviewForm(request.args, today=local_today(studios[0].timezone))
    if not visible:
        return render_template("studios/manage/index.html", studios=studios, form=None)
    if not form.validate():
        return render_template("studios/manage/index.html", studios=studios, form=form,
                               figures=None), 422
    filters = form.filters()
    for studio in visible:
        refresh_here(studio)
    period = {"start": filters.start.isoformat(), "end": filters.end.isoformat()}
    return render_template("studios/manage/index.html", studios=studios, form=form,
                           figures=overview(visible, filters), period=period)


def _form() -> ReportFilterForm:
    return ReportFilterForm(request.args, locations=list_locations(g.studio),
                            class_types=list_class_types(g.studio),
                            today=local_today(g.studio.timezone))


def _today():
    return local_today(g.studio.timezone)


# Each report: what builds it from the studio and the filters.
REPORTS = {
    "attendance": attendance, "time_slots": time_slots, "utilisation": utilisation,
    "waitlist": waitlist_demand, "revenue": revenue, "taxes": taxes,
    "owed": lambda studio, filters: money_owed(studio, filters, utcnow()),
    "memberships": memberships,
    "cohorts": lambda studio, filters: cohorts(studio, filters, _today()),
    "certificates": lambda studio, filters: certificates(studio, filters, _today()),
}


def _reports(filters) -> dict:
    refresh_here(g.studio)
    return {name: build(g.studio, filters) for name, build in REPORTS.items()}


@bp.get("/reports")
def reports():
    form = _form()
    if not form.validate():
        return render(PAGE, "report_results", studio=g.studio, form=form, reports=None,
                      status=422)
    return render(PAGE, "report_results", studio=g.studio, form=form, args=form.query(),
                  reports=_reports(form.filters()))


# Each CSV is one table of the page: (report, key of the table in it).
CSV_TABLES = {
    "attendance": ("attendance", "table"), "attendance-coaches": ("attendance", "coaches"),
    "utilisation": ("utilisation", "table"), "revenue": ("revenue", "table"),
    "payments": ("revenue", "payments"), "taxes": ("taxes", "table"),
    "attendance-slots": ("time_slots", "table"), "waitlist": ("waitlist", "table"),
    "owed": ("owed", "table"), "owed-customers": ("owed", "customers"),
    "memberships": ("memberships", "table"), "cohorts": ("cohorts", "table"),
    "certificates": ("certificates", "table"),
}


def _csv(name: str):
    form = _form()
    if not form.validate():
        errors = "; ".join(str(e) for f in form for e in f.errors)
        return Response(errors or _("Check the period."), status=422, mimetype="text/plain")
    filters = form.filters()
    report, key = CSV_TABLES[name]
    refresh_here(g.studio)
    table = REPORTS[report](g.studio, filters)[key]

    def lines():
        yield "\ufeff"  # the BOM first, so Excel reads the Arabic as UTF-8
        out = io.StringIO()
        writer = csv.writer(out)
        for n, row in enumerate(table.csv_rows(), 1):
            writer.writerow([_cell(v) for v in row])
            if n % 500 == 0:
                yield _take(out)
        yield _take(out)

    filename = f"{g.studio.slug}-{name}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
    return Response(stream_with_context(lines()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _cell(value) -> str:
    """A CSV cell a spreadsheet shows as text: a formula's first character is escaped (a
    negative amount stays a number)."""
    text = "" if value is None else str(value)
    if text[:1] == "-" and text[1:].replace(".", "", 1).isdigit():
        return text
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _take(out: io.StringIO) -> str:
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text


@bp.get("/reports/bookings.csv")
@fresh_auth_required(why="export")
def bookings_csv():
    """Every booking in the classes of the period, one row each, streamed as it is read."""
    form = _form()
    if not form.validate():
        errors = "; ".join(str(e) for f in form for e in f.errors)
        return Response(errors or _("Check the period."), status=422, mimetype="text/plain")
    filters = form.filters()

    def lines():
        yield "\ufeff"  # the BOM first, so Excel reads the Arabic as UTF-8
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(booking_columns())
        for batch in iter_booking_batches(g.studio, filters, _cell):
            writer.writerows(batch)
            yield _take(out)
        yield _take(out)

    filename = f"{g.studio.slug}-bookings-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
    return Response(stream_with_context(lines()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _csv_view(name: str):
    def view():
        return _csv(name)
    view.__name__ = f"{name.replace('-', '_')}_csv"
    return view


for _name in CSV_TABLES:
    bp.add_url_rule(f"/reports/{_name}.csv", view_func=_csv_view(_name), methods=["GET"])
