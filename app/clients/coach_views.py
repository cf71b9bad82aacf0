"""The coach's clients: a searchable list across their studios, one client's page per studio,
and private notes written from it."""

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user, login_required

from app.clients.policies import can_see_clients
from app.clients.queries import client_profile, list_coach_clients
from app.clients.services import add_note
from app.core.db import utcnow
from app.core.errors import DomainError
from app.core.htmx import render, wants_fragment
from app.extensions import db
from app.studios.policies import coaches_anywhere
from app.studios.queries import get_studio_customer_or_404, get_studio_or_404
from app.training.queries.logbook import training_start

bp = Blueprint("clients_coach", __name__, url_prefix="/coach/clients")
LIST = "clients/coach/list.html"
PROFILE = "clients/coach/profile.html"


def _client_or_404(slug: str, customer_id: int):
    """The studio and its customer, for staff of that studio only (else 404)."""
    studio = get_studio_or_404(slug)
    if not can_see_clients(current_user, studio):
        abort(404)
    customer, link = get_studio_customer_or_404(studio, customer_id)
    return studio, customer, link


@bp.get("/")
@login_required
def list_clients():
    if not coaches_anywhere(current_user):
        abort(404)
    search = request.args.get("q", "")[:100]
    return render(LIST, "client_results", search=search,
                  clients=list_coach_clients(current_user, utcnow(), search))


@bp.get("/<studio>/<int:customer_id>")
@login_required
def show_client(studio: str, customer_id: int):
    studio_, customer, link = _client_or_404(studio, customer_id)
    return render(PROFILE, profile=client_profile(studio_, customer, link, utcnow()), now=utcnow(),
                  training=training_start(studio_, customer, utcnow()))


@bp.post("/<studio>/<int:customer_id>/notes")
@login_required
def create_note(studio: str, customer_id: int):
    studio_, customer, _link = _client_or_404(studio, customer_id)
    body = request.form.get("body", "")
    try:
        add_note(studio_, customer, body, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        return render(PROFILE, "client_notes", status=exc.status, error=str(exc), body=body[:5000],
                      profile=client_profile(studio_, customer, _link, utcnow()), now=utcnow())
    db.session.commit()
    if not wants_fragment():
        return redirect(url_for(".show_client", studio=studio_.slug, customer_id=customer.id), 303)
    return render(PROFILE, "client_notes", profile=client_profile(studio_, customer, _link, utcnow()),
                  now=utcnow(), saved=True)
