"""A client's training as the studio's coaches see it: plan, history, records and charts."""

from flask import abort, request, url_for
from flask_login import current_user, login_required

from app.core.htmx import render
from app.studios.queries import get_studio_customer_or_404, get_studio_or_404
from app.training.coach_views import bp
from app.training.policies import can_train_clients
from app.training.queries.charts import progress_page

CLIENT = "training/coach/client.html"


@bp.get("/coach/clients/<studio>/<int:customer_id>/training")
@login_required
def client_training(studio: str, customer_id: int):
    studio_ = get_studio_or_404(studio)
    if not can_train_clients(current_user, studio_):
        abort(404)
    customer, _link = get_studio_customer_or_404(studio_, customer_id)
    page = request.args.get("page", 1, type=int)
    return render(CLIENT, "training_timeline", **progress_page(studio_, customer, page, lambda n: url_for(
        ".client_training", studio=studio_.slug, customer_id=customer.id, page=n)))
