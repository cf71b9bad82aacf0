"""The coach's exercise library: built-in exercises and their studios' own, searchable by name
and filtered by muscle group; a small form adds an exercise to one of their studios."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import DomainError
from app.core.htmx import render
from app.extensions import db
from app.training.coach_views import bp
from app.training.models import EQUIPMENT_LABELS, MUSCLE_LABELS
from app.training.policies import can_add_exercise, coaching_studios
from app.training.queries.loaders import list_exercises, parse_muscle_group
from app.training.services.library import add_exercise

LIBRARY = "training/coach/library.html"


def _context(studios, form=None, error=None) -> dict:
    """The page's context, shared by the page, its results fragment and a refused form."""
    search = request.args.get("q", "")[:100]
    muscle = parse_muscle_group(request.args.get("muscle"))
    return dict(search=search, muscle=muscle, studios=studios,
                studio_names={s.id: s for s in studios}, muscle_labels=MUSCLE_LABELS,
                equipment_labels=EQUIPMENT_LABELS, form=form or {}, error=error,
                exercises=list_exercises(studios, search, muscle))


def _studios_or_404():
    studios = coaching_studios(current_user)
    if not studios:
        abort(404)
    return studios


@bp.get("/coach/exercises/")
@login_required
def list_library():
    return render(LIBRARY, "exercise_results", **_context(_studios_or_404()))


@bp.post("/coach/exercises/")
@login_required
def create_exercise():
    studios = _studios_or_404()
    form = request.form
    studio = next((s for s in studios if s.slug == form.get("studio")), None)
    if studio is None or not can_add_exercise(current_user, studio):
        abort(404)
    try:
        add_exercise(studio, name={"en": form.get("name_en"), "ar": form.get("name_ar")},
                     cues={"en": form.get("cue_en"), "ar": form.get("cue_ar")},
                     muscle_group=form.get("muscle_group", ""),
                     equipment=form.get("equipment", ""), actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        values = {k: (v or "")[:500] for k, v in form.items() if k != "csrf_token"}
        return render(LIBRARY, status=exc.status, **_context(studios, values, str(exc)))
    db.session.commit()
    flash(_("Exercise added to the library."), "success")
    return redirect(url_for(".list_library"), 303)
