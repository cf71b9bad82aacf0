"""Blueprints of the studio console share one loader and one permission check."""

from flask import Blueprint, g
from flask_login import current_user, login_required

from app.studios.policies import require_manager
from app.studios.queries import get_studio_or_404


def console_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint under /manage/<studio>: the studio is loaded into g, managers only (404)."""
    bp = Blueprint(name, import_name, url_prefix="/manage/<studio>")

    @bp.url_value_preprocessor
    def load_studio(endpoint, values):
        g.studio = get_studio_or_404(values.pop("studio"))

    @bp.url_defaults
    def add_studio(endpoint, values):
        if "studio" not in values and "studio" in g:
            values["studio"] = g.studio.slug

    @bp.before_request
    @login_required
    def check_manager():
        require_manager(current_user, g.studio)

    return bp
