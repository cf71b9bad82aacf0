"""The coach's training area on the tablet: the exercise library, workout templates, clients'
plans edited in place, sessions logged set by set, and a client's progress."""

from flask import Blueprint

bp = Blueprint("training_coach", __name__)

from app.training.coach_views import library, plans, progress, sessions  # noqa: E402,F401 (routes)
