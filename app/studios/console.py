"""Blueprints of the studio console and of the coach area: each family shares one loader and
one permission check, so a studio in the URL is loaded and checked in one place."""

from urllib.parse import quote

from flask import Blueprint, g, redirect, request
from flask_login import current_user, login_required

from app.accounts.factors.views import second_step_gate
from app.studios.policies import require_coach, require_manager
from app.studios.queries import get_studio_or_404


def console_blueprint(name: str, import_name: str, require=require_manager) -> Blueprint:
    """A blueprint under /manage/<studio>: the studio is loaded into g, managers only (404),
    or whoever `require(user, studio)` lets in (a domain's own policy)."""
    return _studio_blueprint(name, import_name, "/manage/<studio>", require)


def coach_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint under /coach/<studio>: the studio is loaded into g, its staff only (404).
    Finer checks (this class's roster) stay with the views' policies."""
    return _studio_blueprint(name, import_name, "/coach/<studio>", require_coach)


def _studio_blueprint(name: str, import_name: str, url_prefix: str, require) -> Blueprint:
    bp = Blueprint(name, import_name, url_prefix=url_prefix)

    @bp.url_value_preprocessor
    def load_studio(endpoint, values):
        g.studio = get_studio_or_404(values.pop("studio"))

    @bp.url_defaults
    def add_studio(endpoint, values):
        if "studio" not in values and "studio" in g:
            values["studio"] = g.studio.slug

    @bp.before_request
    @login_required
    def check_staff():
        require(current_user, g.studio)
        if require is require_manager:  # the console of owners and studio admins
            return second_step_gate()
        return None

    return bp


def moved_to_studio(studio, path: str):
    """A permanent redirect from a coach URL without a studio to `/coach/<studio>/<path>`.

    308 keeps the method and the body: a tap a tablet queued offline against the old URL
    (a POST with its CSRF token and idempotency key) replays there and lands once; bookmarks
    (GETs) follow it like a 301.
    """
    query = request.query_string.decode()
    target = quote(f"/coach/{studio.slug}/{path}")
    return redirect(target + (f"?{query}" if query else ""), 308)
