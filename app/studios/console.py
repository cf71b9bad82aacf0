"""Blueprints of the studio console and of the coach area: each family shares one loader and
one permission check, so a studio in the URL is loaded and checked in one place.

Every console blueprint names the policy its pages need (`require`, a `can_…(user, studio)`
predicate); a page that needs more says so with `@requires(...)`. Whoever fails it gets a 404:
a part of a console one may not open does not exist for them. The navigation asks the same
policies (`may_open`), so it shows only what the reader may open."""

from collections.abc import Callable
from urllib.parse import quote

from flask import Blueprint, abort, current_app, g, redirect, request
from flask_login import current_user, login_required

from app.accounts.factors.views import second_step_gate
from app.studios.policies import can_coach
from app.studios.queries import get_studio_or_404

Policy = Callable[..., bool]  # (user, studio) -> bool


def requires(policy: Policy):
    """Mark a console or coach view as needing `policy` instead of its blueprint's. Put it
    right under the route decorator, so the registered view carries the mark."""
    def mark(view):
        view.studio_policy = policy
        return view
    return mark


def console_blueprint(name: str, import_name: str, *, require: Policy) -> Blueprint:
    """A blueprint under /manage/<studio>: the studio is loaded into g; whoever `require(user,
    studio)` (or a view's own `@requires`) refuses gets a 404; the console asks for the second
    step of those who owe one."""
    return _studio_blueprint(name, import_name, "/manage/<studio>", require, second_step=True)


def coach_blueprint(name: str, import_name: str, *, require: Policy = can_coach) -> Blueprint:
    """A blueprint under /coach/<studio>: the studio is loaded into g, its staff only (404).
    Finer checks (this class's roster) stay with the views' policies."""
    return _studio_blueprint(name, import_name, "/coach/<studio>", require, second_step=False)


def policy_of(endpoint: str) -> Policy | None:
    """The policy a console or coach endpoint needs (None: not a studio page)."""
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return None
    blueprint = current_app.blueprints.get(endpoint.rpartition(".")[0])
    return getattr(view, "studio_policy", None) or getattr(blueprint, "studio_policy", None)


def may_open(user, studio, endpoint: str) -> bool:
    """Whether `user` may open `endpoint` of `studio` (the navigation's links)."""
    policy = policy_of(endpoint)
    return bool(policy and policy(user, studio))


def _studio_blueprint(name: str, import_name: str, url_prefix: str, require: Policy,
                      *, second_step: bool) -> Blueprint:
    bp = Blueprint(name, import_name, url_prefix=url_prefix)
    bp.studio_policy = require

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
        if not policy_of(request.endpoint)(current_user, g.studio):
            abort(404)
        return second_step_gate() if second_step else None

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
