"""Customers book a 1:1 session from their phone: choose a type and a day, tap a slot, confirm."""

from datetime import datetime

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.appointments import entitlements, services
from app.appointments.entitlements import PayBy
from app.appointments.errors import PaymentNotOffered
from app.appointments.forms import parse_pay_by, parse_picker_day, parse_slot, parse_type_id
from app.appointments.policies import can_change_appointment
from app.appointments.queries import (
    coach_directory,
    coach_photo_of,
    get_appointment_or_404,
    get_coach_or_404,
    get_session_type_or_404,
    list_session_types,
    slot_picker,
)
from app.core.db import utcnow
from app.core.htmx import render, wants_fragment
from app.core.lifecycle import answer_error, done, perform
from app.schedule.queries import local_today
from app.studios.queries import get_studio_or_404

bp = Blueprint("appointments", __name__)

PAGE = "appointments/book.html"


def _slot(value: str | None) -> datetime | None:
    try:
        return parse_slot(value)
    except ValueError:
        abort(400)


def _picker_page(studio, coach, args, *, status=200, error=None):
    tz = studio.timezone
    today = local_today(tz)
    types = list_session_types(studio, active_only=True)
    picker = slot_picker(studio, coach, types, parse_type_id(args.get("type")),
                         parse_picker_day(args.get("day"), today), today, utcnow(),
                         chosen_at=_slot(args.get("slot")), error=error)
    ways = []
    if picker.chosen is not None and picker.session_type is not None \
            and current_user.is_authenticated:
        ways = entitlements.provider().ways_to_pay(studio, current_user, picker.session_type,
                                                   picker.chosen.starts_at)
    return render(PAGE, "slot_list", status=status, studio=studio, coach=coach, picker=picker,
                  tz=tz, ways=ways)


@bp.get("/s/<studio>/coaches")
def coaches(studio: str):
    """The studio's coaches who take 1:1 sessions: what they offer and where to book it."""
    studio = get_studio_or_404(studio)
    return render_template("appointments/coaches.html", studio=studio,
                           directory=coach_directory(studio, local_today(studio.timezone)))


# A photo opened directly may neither run nor load anything (it is a PNG or a JPEG anyway).
PHOTO_CSP = "default-src 'none'; sandbox"


@bp.get("/s/<studio>/coaches/<int:coach_id>/photo/<version>")
def coach_photo(studio: str, coach_id: int, version: str):
    """A coach's photo from our own origin, under a URL that changes with it (cached for a
    year); its type is the one sniffed on upload."""
    photo = coach_photo_of(get_studio_or_404(studio), coach_id, version)
    if photo is None:
        abort(404)
    response = Response(photo[0], mimetype=photo[1])
    response.headers["Content-Security-Policy"] = PHOTO_CSP
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@bp.get("/s/<studio>/coaches/<int:coach_id>/sessions")
def book_form(studio: str, coach_id: int):
    studio = get_studio_or_404(studio)
    return _picker_page(studio, get_coach_or_404(studio, coach_id), request.args)


@bp.post("/s/<studio>/coaches/<int:coach_id>/sessions")
@login_required
def book_session(studio: str, coach_id: int):
    studio = get_studio_or_404(studio)
    coach = get_coach_or_404(studio, coach_id)
    session_type = get_session_type_or_404(studio, parse_type_id(request.form.get("type")) or 0,
                                           active_only=True)
    starts_at = _slot(request.form.get("slot")) or abort(400)
    back = url_for(".book_form", studio=studio.slug, coach_id=coach.id, type=session_type.id,
                   day=request.form.get("day"))
    chosen = request.form.get("pay_by")
    pay_by = parse_pay_by(chosen)

    def book():
        # A card payment starts at Stripe: billing's own route (billing.checkout_session).
        if (chosen and pay_by is None) or pay_by == PayBy.CARD:
            raise PaymentNotOffered()
        return services.book_appointment(studio, coach, current_user, session_type, starts_at,
                                         actor=current_user,
                                         pay_by=PayBy(pay_by) if pay_by else None)

    return perform(
        book,
        lambda appointment: (
            _panel(studio, appointment, just_booked=True) if wants_fragment()
            else done(_("Your session is booked."),
                      url_for(".detail", studio=studio.slug, appointment_id=appointment.id))),
        failed=lambda exc: (
            _picker_page(studio, coach, request.form, status=exc.status, error=str(exc))
            if wants_fragment() else answer_error(exc, back)))


def _panel(studio, appointment, **options):
    """The session's panel alone (htmx): after a change, or with the error that refused it."""
    return render("appointments/detail.html", "appointment_panel", studio=studio,
                  appointment=appointment, consequence=None, **options)


def _own_or_404(studio, appointment_id: int):
    appointment = get_appointment_or_404(studio, appointment_id)
    if not can_change_appointment(current_user, studio, appointment):
        abort(404)
    return appointment


@bp.get("/s/<studio>/sessions/<int:appointment_id>")
@login_required
def detail(studio: str, appointment_id: int):
    studio = get_studio_or_404(studio)
    appointment = _own_or_404(studio, appointment_id)
    consequence = (services.cancel_consequence(studio, appointment, utcnow())
                   if request.args.get("confirm") == "cancel" else None)
    return render("appointments/detail.html", "appointment_panel", studio=studio,
                  appointment=appointment, consequence=consequence)


@bp.post("/s/<studio>/sessions/<int:appointment_id>/cancel")
@login_required
def cancel_session(studio: str, appointment_id: int):
    studio = get_studio_or_404(studio)
    appointment = _own_or_404(studio, appointment_id)
    back = url_for(".detail", studio=studio.slug, appointment_id=appointment.id)
    return perform(
        lambda: services.cancel_appointment(studio, appointment, actor=current_user),
        lambda cancelled: (_panel(studio, appointment) if wants_fragment()
                           else done(cancelled.released.message, back)),
        failed=lambda exc: (_panel(studio, appointment, status=exc.status, error=str(exc))
                            if wants_fragment() else answer_error(exc, back)))
