"""The coach's clients in one studio: a searchable list, one client's page and private notes
written from it. Client URLs without the studio in front redirect."""

from flask import Blueprint, abort, g, redirect, request, url_for
from flask_login import current_user, login_required

from app.clients.policies import can_see_clients
from app.clients.queries import client_profile, list_coach_clients
from app.clients.services import add_note
from app.core.db import utcnow
from app.core.htmx import render, wants_fragment
from app.core.lifecycle import perform
from app.studios.console import coach_blueprint, moved_to_studio
from app.studios.policies import coach_studios
from app.studios.queries import get_studio_customer_or_404, get_studio_or_404
from app.training.queries.logbook import training_start

bp = coach_blueprint("clients_coach", __name__)
moved = Blueprint("clients_coach_moved", __name__, url_prefix="/coach/clients")
LIST = "clients/coach/list.html"
PROFILE = "clients/coach/profile.html"


def _client_or_404(customer_id: int):
    """The studio's customer, for staff who see its clients (else 404)."""
    if not can_see_clients(current_user, g.studio):
        abort(404)
    return get_studio_customer_or_404(g.studio, customer_id)


@bp.get("/clients/")
def list_clients():
    if not can_see_clients(current_user, g.studio):
        abort(404)
    search = request.args.get("q", "")[:100]
    return render(LIST, "client_results", search=search,
                  clients=list_coach_clients(current_user, utcnow(), search, studio=g.studio))


def _profile(customer, link, block=None, **extra):
    """The client's page, or its notes block for htmx; one context for both (the training
    panel only for the whole page)."""
    now = utcnow()
    if block is None or not wants_fragment():
        extra["training"] = training_start(g.studio, customer, now)
    return render(PROFILE, block, profile=client_profile(g.studio, customer, link, now), now=now,
                  **extra)


@bp.get("/clients/<int:customer_id>")
def show_client(customer_id: int):
    customer, link = _client_or_404(customer_id)
    return _profile(customer, link)


@bp.post("/clients/<int:customer_id>/notes")
def create_note(customer_id: int):
    customer, link = _client_or_404(customer_id)
    body = request.form.get("body", "")

    def saved(_note):
        if not wants_fragment():
            return redirect(url_for(".show_client", customer_id=customer.id), 303)
        return _profile(customer, link, "client_notes", saved=True)

    def refused(exc):
        return _profile(customer, link, "client_notes", status=exc.status, error=str(exc),
                        body=body[:5000])
    return perform(lambda: add_note(g.studio, customer, body, actor=current_user), saved,
                   failed=refused)


@moved.get("/")
@login_required
def moved_list():
    """The clients list of the coach's first studio (each studio's list is its own now)."""
    studios = coach_studios(current_user)
    if not studios:
        abort(404)
    return moved_to_studio(studios[0], "clients/")


@moved.route("/<studio>/<int:customer_id>", defaults={"rest": ""}, methods=["GET", "POST"])
@moved.route("/<studio>/<int:customer_id>/<path:rest>", methods=["GET", "POST"])
@login_required
def moved_client(studio: str, customer_id: int, rest: str):
    """A client URL from before the studio led the path (bookmarks, queued taps)."""
    studio_ = get_studio_or_404(studio)
    if not can_see_clients(current_user, studio_):
        abort(404)
    return moved_to_studio(studio_, f"clients/{customer_id}" + (f"/{rest}" if rest else ""))
