"""A client's training as the studio's coaches see it: plan, history, records and charts."""

from flask import abort, g, request, url_for
from flask_login import current_user

from app.core.htmx import render
from app.studios.queries import get_studio_customer_or_404
from app.training.coach_views import bp
from app.training.policies import can_train_clients
from app.training.queries.charts import progress_page

CLIENT = "training/coach/client.html"


@bp.get("/clients/<int:customer_id>/training")
def client_training(customer_id: int):
    if not can_train_clients(current_user, g.studio):
        abort(404)
    customer, _link = get_studio_customer_or_404(g.studio, customer_id)
    page = request.args.get("page", 1, type=int)
    return render(CLIENT, "training_timeline", **progress_page(
        g.studio, customer, page,
        lambda n: url_for(".client_training", customer_id=customer.id, page=n)))
