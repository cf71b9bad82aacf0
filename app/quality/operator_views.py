"""The operator's data-quality page (/operator/data-quality): every studio's last findings."""

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from app.accounts.factors.views import second_step_gate
from app.quality.queries import platform_report

bp = Blueprint("quality_operator", __name__, url_prefix="/operator")


@bp.before_request
@login_required
def require_operator():
    if not current_user.is_operator:
        abort(404)
    return second_step_gate()


@bp.get("/data-quality")
def data_quality():
    return render_template("quality/operator/data_quality.html", **platform_report())
