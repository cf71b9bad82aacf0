"""Logging a client's workout on the coach's tablet: start (or resume) today's session, log a
set with one tap, undo, add an exercise, finish. Every action answers with the part it changed."""

from flask import abort, g, redirect, request, url_for
from flask_login import current_user

from app.core.db import get_in_studio_or_404
from app.core.htmx import render, wants_fragment
from app.core.lifecycle import perform
from app.studios.queries import get_studio_customer_or_404
from app.training import forms
from app.training.coach_views import bp
from app.training.errors import SessionFinished
from app.training.models import RECORD_LABELS, UNIT_LABELS, TrainingSession, Workout
from app.training.policies import can_train_clients
from app.training.queries.loaders import list_exercises
from app.training.queries.logbook import session_blocks
from app.training.services import sessions

PAGE = "training/coach/session.html"


def _studio_or_404():
    if not can_train_clients(current_user, g.studio):
        abort(404)
    return g.studio


def _session_or_404(session_id: int) -> TrainingSession:
    """A session of the studio in the URL (another studio's id is a 404)."""
    return get_in_studio_or_404(TrainingSession, _studio_or_404(), session_id)


def _context(session: TrainingSession, *, library: bool = True, **extra) -> dict:
    """What the page needs; a set's row needs no exercise library (the picker is elsewhere)."""
    studio = session.studio
    return dict(session=session, studio=studio, client=session.client,
                unit=UNIT_LABELS.get(studio.load_unit, studio.load_unit),
                blocks=session_blocks(session), record_labels=RECORD_LABELS,
                library=list_exercises([studio]) if library else [], **extra)


@bp.post("/clients/<int:customer_id>/sessions")
def start_session(customer_id: int):
    studio = _studio_or_404()
    client, _link = get_studio_customer_or_404(studio, customer_id)
    workout = None
    if workout_id := request.form.get("workout", type=int):
        workout = get_in_studio_or_404(Workout, studio, workout_id)
        plan = workout.plan
        if plan is None or plan.client_id != client.id:
            abort(404)
    return perform(
        lambda: sessions.start_session(studio, client, coach=current_user, workout=workout),
        lambda session: redirect(url_for(".show_session", session_id=session.id), 303))


@bp.get("/sessions/<int:session_id>/")
def show_session(session_id: int):
    return render(PAGE, "logbook", **_context(_session_or_404(session_id)))


def _row_answer(session, exercise_id, position, *, status=200, message=None, fresh=False,
                set_id=None):
    """The set's row after a change (the whole page when the request is not htmx)."""
    if not wants_fragment():
        return redirect(url_for(".show_session", session_id=session.id), 303)
    context = _context(session, library=False)
    block = next((b for b in context["blocks"] if b.exercise.id == exercise_id), None)
    rows = block.rows if block else []
    row = next((r for r in rows if set_id and r.logged and r.logged.id == set_id), None) or \
        next((r for r in rows if r.position == position and not r.logged), None) or \
        next((r for r in rows if r.position == position), None)
    if row is None:  # not a row of this logbook (an exercise not in it): the whole logbook
        context["library"] = list_exercises([session.studio])
        return render(PAGE, "logbook", status=status, message=message, **context)
    return render(PAGE, "set_row", status=status, entry=block, row=row, fresh=fresh,
                  row_message=message, base=url_for(".show_session", session_id=session.id),
                  **context)


def _form_position() -> int:
    return forms.parse_position(request.form.get("position"))


@bp.post("/sessions/<int:session_id>/sets")
def log_set(session_id: int):
    session = _session_or_404(session_id)
    form = request.form
    exercise_id = form.get("exercise", type=int)

    def log():
        exercise = sessions.visible_exercise(session.studio, exercise_id)
        values = forms.parse_set(form, exercise.measure)
        return sessions.log_set(session, session.studio, set_id=form.get("set_id"),
                                exercise_id=exercise_id, position=_form_position(),
                                reps=values.reps, load=values.load, seconds=values.seconds,
                                meters=values.meters)

    def logged_answer(result):
        logged, _created = result
        return _row_answer(session, logged.exercise_id, logged.position, fresh=True,
                           set_id=logged.id)
    return perform(log, logged_answer, failed=lambda exc: _row_answer(
        session, exercise_id, _form_position(), status=exc.status, message=str(exc)))


@bp.post("/sessions/<int:session_id>/sets/<logged_set_id>/undo")
def undo_set(session_id: int, logged_set_id: str):
    session = _session_or_404(session_id)
    exercise_id = request.form.get("exercise", type=int)

    def undone(logged):
        if logged is None:  # undone already (a replay): show the row as it is now
            return _row_answer(session, exercise_id, _form_position())
        return _row_answer(session, logged.exercise_id, logged.position)

    def refused(exc):
        if not isinstance(exc, SessionFinished):
            raise exc
        return _row_answer(session, exercise_id, _form_position(), status=exc.status,
                           message=str(exc), set_id=logged_set_id)
    return perform(lambda: sessions.undo_set(session, logged_set_id[:64]), undone,
                   failed=refused)


@bp.post("/sessions/<int:session_id>/exercises")
def add_session_exercise(session_id: int):
    session = _session_or_404(session_id)

    def added(_exercise):
        if not wants_fragment():
            return redirect(url_for(".show_session", session_id=session.id), 303)
        return render(PAGE, "logbook", **_context(session))
    return perform(
        lambda: sessions.add_exercise(session, session.studio,
                                      request.form.get("exercise", type=int)),
        added, failed=lambda exc: render(PAGE, "logbook", status=exc.status,
                                         **_context(session, message=str(exc))))


@bp.post("/sessions/<int:session_id>/finish")
def finish_session(session_id: int):
    session = _session_or_404(session_id)
    return perform(lambda: sessions.finish_session(session), lambda _done: redirect(
        url_for("clients_coach.show_client", customer_id=session.client_id, _anchor="training"),
        303))
