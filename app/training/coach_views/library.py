"""The coach's exercise library of one studio: built-in exercises and the studio's own,
searchable by name and filtered by muscle group; a small form adds an exercise to the studio."""

from flask import abort, g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.htmx import render
from app.core.lifecycle import done, perform
from app.training.coach_views import bp
from app.training.models import EQUIPMENT_LABELS, MEASURE_LABELS, MUSCLE_LABELS
from app.training.policies import can_add_exercise
from app.training.queries.loaders import list_exercises, parse_muscle_group
from app.training.services.library import add_exercise

LIBRARY = "training/coach/library.html"


def _context(form=None, error=None) -> dict:
    """The page's context, shared by the page, its results fragment and a refused form."""
    search = request.args.get("q", "")[:100]
    muscle = parse_muscle_group(request.args.get("muscle"))
    return dict(search=search, muscle=muscle, studio=g.studio, studio_names={g.studio.id: g.studio},
                muscle_labels=MUSCLE_LABELS, equipment_labels=EQUIPMENT_LABELS,
                measure_labels=MEASURE_LABELS, form=form or {},
                error=error, exercises=list_exercises([g.studio], search, muscle))


@bp.get("/exercises/")
def list_library():
    return render(LIBRARY, "exercise_results", **_context())


@bp.post("/exercises/")
def create_exercise():
    if not can_add_exercise(current_user, g.studio):
        abort(404)
    form = request.form

    def refused(exc):
        values = {k: (v or "")[:500] for k, v in form.items() if k != "csrf_token"}
        return render(LIBRARY, status=exc.status, **_context(values, str(exc)))
    return perform(
        lambda: add_exercise(g.studio, name={"en": form.get("name_en"), "ar": form.get("name_ar")},
                             cues={"en": form.get("cue_en"), "ar": form.get("cue_ar")},
                             muscle_group=form.get("muscle_group", ""),
                             equipment=form.get("equipment", ""),
                             measure=form.get("measure") or "reps_load", actor=current_user),
        lambda _exercise: done(_("Exercise added to the library."), url_for(".list_library")),
        failed=refused)
