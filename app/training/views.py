"""The customer's own training (/me/training, one studio at a time): plan, history, records
and charts, the timeline paged as an htmx fragment (the coach's view of it shares the context)."""

from flask import Blueprint, abort, request, url_for
from flask_login import current_user, login_required

from app.core.htmx import render
from app.training import display
from app.training.queries.charts import progress_page
from app.training.queries.progress import training_studios

bp = Blueprint("training", __name__)
display.init_blueprint(bp)
MINE = "training/mine.html"


def _page() -> int:
    return request.args.get("page", 1, type=int)


@bp.get("/me/training")
@login_required
def my_training():
    studios = training_studios(current_user)
    wanted = request.args.get("studio")
    studio = next((s for s in studios if s.slug == wanted or not wanted), None)
    if wanted and studio is None:
        abort(404)
    if studio is None:
        return render(MINE, studios=[], overview=None)
    slug = studio.slug if len(studios) > 1 else None
    return render(MINE, "training_timeline", studios=studios, **progress_page(
        studio, current_user, _page(), lambda n: url_for(".my_training", studio=slug, page=n)))
