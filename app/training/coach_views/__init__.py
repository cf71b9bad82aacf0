"""The coach's training area on the tablet, per studio (/coach/<studio>/…): the exercise library,
workout templates, clients' plans edited in place, sessions logged set by set, and a client's
progress. Training URLs without the studio in front redirect (see `moved`)."""

from flask import Blueprint

from app.studios.console import coach_blueprint

bp = coach_blueprint("training_coach", __name__)
moved = Blueprint("training_coach_moved", __name__, url_prefix="/coach")

from app.training.coach_views import library, moves, plans, progress, sessions  # noqa: E402,F401 (routes)
