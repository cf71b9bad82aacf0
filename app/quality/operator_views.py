"""The operator's data-quality page (/operator/data-quality): every studio's last findings."""

from flask import render_template

from app.accounts.factors.views import operator_blueprint
from app.quality.queries import platform_report

bp = operator_blueprint("quality_operator", __name__)


@bp.get("/data-quality")
def data_quality():
    return render_template("quality/operator/data_quality.html", **platform_report())
