"""The studio's data-quality page (/manage/<studio>/data-quality): the last run's findings by
check, with where each is fixed, and a button that runs the checks again."""

from flask import g, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.htmx import render
from app.core.lifecycle import done, perform
from app.quality.policies import can_check_data
from app.quality.queries import studio_report
from app.quality.services import request_checks
from app.studios.console import console_blueprint

bp = console_blueprint("quality_manage", __name__, require=can_check_data)


@bp.get("/data-quality")
def data_quality():
    return render("quality/manage/data_quality.html", studio=g.studio, **studio_report(g.studio))


@bp.post("/data-quality/runs")
def check_now():
    """Run the checks (as a job once this request commits; inline in embedded mode)."""
    page = url_for(".data_quality")
    return perform(lambda: request_checks(g.studio, actor=current_user),
                   lambda _none: done(_("The checks are running; the page shows their findings "
                                        "when they are done."), page), back=page)
