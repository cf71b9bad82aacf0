"""Customers: the week schedule and a class's page with its booking panel; booking, cancelling
and claiming an offered spot (htmx fragments or 303s); "my bookings"."""


from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.appointments.queries import list_my_appointments
from app.bookings import entitlements, services
from app.bookings.policies import can_change_booking
from app.bookings.queries import (
    booked_state,
    get_class_booking_or_404,
    list_my_bookings,
    load_for_booking,
    panel_state,
)
from app.bookings.week import load_week, reader_zone
from app.core.db import utcnow
from app.core.htmx import render, wants_fragment
from app.core.i18n import current_language, format_day, format_time, translated
from app.core.lifecycle import perform
from app.schedule.queries import ScheduleFilters, get_studio_class_or_404, zone_note

bp = Blueprint("bookings", __name__)


# Weeks outside this range are ignored like malformed ones (date arithmetic would overflow).
FIRST_WEEK, LAST_WEEK = date(2000, 1, 1), date(2999, 12, 31)


def _date_arg(name: str) -> date | None:
    try:
        value = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    return value if FIRST_WEEK <= value <= LAST_WEEK else None


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    # isdecimal, not isdigit: "²" is a digit that int() rejects; ids fit PostgreSQL's integer.
    return int(value) if value.isdecimal() and len(value) < 10 else None


@bp.get("/s/<studio>/schedule")
def week(studio: str):
    filters = ScheduleFilters(_int_arg("location"), _int_arg("type"), _int_arg("coach"))
    week = load_week(studio, _date_arg("week"), filters, current_user, utcnow())
    frame = week.frame
    return render(
        "bookings/week.html", "schedule_results",
        studio=frame.studio, tz=frame.tz, today=week.today, start=week.start, filters=filters,
        week=week, prev_week=week.start - timedelta(days=7),
        next_week=week.start + timedelta(days=7),
        locations=frame.locations, class_types=frame.class_types, coaches=frame.coaches,
    )


def _about(studio, cls) -> str:
    """The class and its time, as the panel's actions name them for a screen reader. Read
    before a booking service runs: its locked re-read of the class unloads type and place."""
    return _("%(name)s, %(day)s at %(time)s",
             name=translated(cls.class_type.name, studio.default_language),
             day=format_day(cls.starts_at, cls.timezone),
             time=format_time(cls.starts_at, cls.timezone))


@bp.get("/s/<studio>/classes/<int:class_id>")
def class_detail(studio: str, class_id: int):
    studio, cls = get_studio_class_or_404(studio, class_id)
    state = panel_state(studio, cls, current_user, utcnow(),
                        confirm_cancel=request.args.get("confirm") == "cancel")
    zone = zone_note(cls.timezone, reader_zone(current_user, studio.timezone), current_language())
    return render("bookings/class_detail.html", "booking_panel", studio=studio, cls=cls,
                  state=state, about=_about(studio, cls), zone=zone,
                  ticket=entitlements.provider().ticket_price(studio, cls))


PANEL = ("bookings/class_detail.html", "booking_panel")


def _panel(studio, cls, *, status=200, state=None, about=None, **options):
    """The class page, or only its booking panel for htmx; 303 back after a plain POST."""
    if request.method == "POST" and not wants_fragment():
        if options.get("error"):
            flash(options["error"], "error")
        if options.get("outcome"):
            flash(options["outcome"], "success")
        return redirect(url_for("bookings.class_detail", studio=studio.slug, class_id=cls.id), 303)
    if state is None:
        state = panel_state(studio, cls, current_user, utcnow(), **options)
    return render(*PANEL, status=status, studio=studio, cls=cls, state=state,
                  about=about or _about(studio, cls))


def _on_booking(service, slug: str, class_id: int, booking_id: int):
    """Run `service` on one booking of this class that the user may change (else 404)."""
    studio, cls, booking = get_class_booking_or_404(slug, class_id, booking_id)
    if not can_change_booking(current_user, studio, booking):
        abort(404)
    about = _about(studio, cls)
    return perform(lambda: service(studio, booking, actor=current_user),
                   lambda _changed: _panel(studio, cls, about=about),
                   failed=lambda exc: _panel(studio, cls, status=exc.status, about=about,
                                             error=str(exc)),
                   keep_loaded=True)


@bp.post("/s/<studio>/classes/<int:class_id>/book")
@login_required
def book_class(studio: str, class_id: int):
    loaded = load_for_booking(studio, class_id, current_user, utcnow())
    studio, cls = loaded.studio, loaded.cls
    if loaded.known is not None:
        # Already in: a double tap, a retry or a replayed offline tap is answered from the
        # statement that loaded the class (book_class would return the same booking).
        return _panel(studio, cls, state=loaded.known)
    # Committed keeping what was loaded, then the panel drawn from those rows (a confirmed
    # spot: from what the booking decided, with no statement): the class lock is held for as
    # short as can be (in a rush everyone booking the class waits for it).
    about = _about(studio, cls)
    return perform(lambda: services.make_booking(studio, cls, current_user,
                                                 actor=current_user, linked=loaded.linked),
                   lambda booked: _panel(studio, cls, about=about,
                                         state=booked_state(studio, cls, booked)),
                   failed=lambda exc: _panel(studio, cls, status=exc.status, about=about,
                                             error=str(exc)),
                   keep_loaded=True)


@bp.post("/s/<studio>/classes/<int:class_id>/bookings/<int:booking_id>/cancel")
@login_required
def cancel_booking(studio: str, class_id: int, booking_id: int):
    studio, cls, booking = get_class_booking_or_404(studio, class_id, booking_id)
    if not can_change_booking(current_user, studio, booking):
        abort(404)
    about = _about(studio, cls)
    return perform(lambda: services.cancel_booking(studio, booking, actor=current_user),
                   lambda cancelled: _panel(studio, cls, about=about,
                                            outcome=cancelled.released.message()),
                   failed=lambda exc: _panel(studio, cls, status=exc.status, about=about,
                                             error=str(exc)),
                   keep_loaded=True)


@bp.post("/s/<studio>/classes/<int:class_id>/bookings/<int:booking_id>/claim")
@login_required
def claim_offer(studio: str, class_id: int, booking_id: int):
    return _on_booking(services.claim_offer, studio, class_id, booking_id)


@bp.get("/me/bookings")
@login_required
def my_bookings():
    now = utcnow()
    return render_template(
        "bookings/my_bookings.html",
        upcoming=list_my_bookings(current_user, now, upcoming=True),
        past=list_my_bookings(current_user, now, upcoming=False, limit=50),
        sessions=list_my_appointments(current_user, now, upcoming=True),
        now=now,
    )
