"""Training progress pages: the customer's own (/me/training, one studio at a time) and a
client's as the studio's staff see it. Both page through the timeline as an htmx fragment."""

from flask import Blueprint, abort, request, url_for
from flask_login import current_user, login_required

from app.core.db import utcnow
from app.core.htmx import render
from app.studios.queries import get_studio_customer_or_404, get_studio_or_404
from app.training import display
from app.training.charts import chart_specs
from app.training.models import RECORD_LABELS
from app.training.policies import can_train_clients
from app.training.progress import training_overview, training_studios

bp = Blueprint("progress", __name__)
display.init_blueprint(bp)
MINE = "training/mine.html"
CLIENT = "training/client.html"


def _context(studio, client, page_url) -> dict:
    """The page's context, shared by the page and its timeline fragment."""
    overview = training_overview(studio, client, utcnow(), request.args.get("page", 1, type=int))
    return dict(overview=overview, charts=chart_specs(overview), record_labels=RECORD_LABELS,
                page_url=page_url)


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
    return render(MINE, "training_timeline", studios=studios, **_context(
        studio, current_user, lambda n: url_for(".my_training", studio=slug, page=n)))


@bp.get("/coach/clients/<studio>/<int:customer_id>/training")
@login_required
def client_training(studio: str, customer_id: int):
    studio_ = get_studio_or_404(studio)
    if not can_train_clients(current_user, studio_):
        abort(404)
    customer, _link = get_studio_customer_or_404(studio_, customer_id)
    return render(CLIENT, "training_timeline", **_context(studio_, customer, lambda n: url_for(
        ".client_training", studio=studio_.slug, customer_id=customer.id, page=n)))
