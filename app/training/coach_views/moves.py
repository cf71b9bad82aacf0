"""Training URLs from before the studio led the path (bookmarks, taps queued offline on a
tablet): each answers a permanent redirect to its place under /coach/<studio>/."""

from flask import abort, request
from flask_login import current_user, login_required

from app.extensions import db
from app.studios.console import moved_to_studio
from app.studios.policies import coach_studios
from app.studios.queries import get_studio_or_404
from app.training.coach_views import moved
from app.training.models import TrainingSession
from app.training.policies import can_train_clients


def _coached_or_404(slug: str):
    studio = get_studio_or_404(slug)
    if not can_train_clients(current_user, studio):
        abort(404)
    return studio


def _chosen_studio():
    """The studio a list's form chose (a POST names it), else the coach's first one."""
    studios = coach_studios(current_user)
    chosen = next((s for s in studios if s.slug == request.form.get("studio")), None)
    if chosen is None and (request.method == "POST" or not studios):
        abort(404)
    return chosen or studios[0]


@moved.route("/workouts/", methods=["GET", "POST"], defaults={"kind": "workouts"})
@moved.route("/exercises/", methods=["GET", "POST"], defaults={"kind": "exercises"})
@login_required
def moved_list(kind: str):
    return moved_to_studio(_chosen_studio(), f"{kind}/")


@moved.route("/workouts/<studio>/<int:row_id>", defaults={"kind": "workouts", "rest": ""},
             methods=["GET", "POST"])
@moved.route("/workouts/<studio>/<int:row_id>/<path:rest>", defaults={"kind": "workouts"},
             methods=["GET", "POST"])
@moved.route("/plans/<studio>/<int:row_id>", defaults={"kind": "plans", "rest": ""},
             methods=["GET", "POST"])
@moved.route("/plans/<studio>/<int:row_id>/<path:rest>", defaults={"kind": "plans"},
             methods=["GET", "POST"])
@login_required
def moved_in_studio(kind: str, studio: str, row_id: int, rest: str):
    return moved_to_studio(_coached_or_404(studio),
                           f"{kind}/{row_id}" + (f"/{rest}" if rest else ""))


@moved.route("/sessions/<int:session_id>/", defaults={"rest": ""}, methods=["GET", "POST"])
@moved.route("/sessions/<int:session_id>/<path:rest>", methods=["GET", "POST"])
@login_required
def moved_session(session_id: int, rest: str):
    session = db.session.get(TrainingSession, session_id)
    if session is None or not can_train_clients(current_user, session.studio):
        abort(404)
    return moved_to_studio(session.studio, f"sessions/{session_id}/{rest}")
