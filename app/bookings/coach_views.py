"""The coach's tablet: the day (classes with their rosters and 1:1 sessions across the coach's
studios, each studio's "today" in its own time zone, at /coach/) and one class's roster under
/coach/<studio>/: one-tap check-in (and undo), pass scan or typed code, walk-ins, no-shows. Each
roster action answers with the roster fragment. Roster URLs without the studio redirect."""


from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, g, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.member_pass import code_matches, read_token
from app.accounts.models import User
from app.appointments.queries import list_coach_appointments
from app.bookings import attendance
from app.bookings.errors import NotBookedHere
from app.bookings.forms import DAY_WINDOW, parse_day
from app.bookings.people import roster_facts
from app.bookings.queries import get_booking_or_404, list_roster
from app.core.db import utcnow
from app.core.htmx import render
from app.core.i18n import local
from app.core.idempotency import first_use, request_key
from app.core.lifecycle import perform
from app.extensions import db
from app.schedule.models import ScheduledClass
from app.schedule.queries import get_class_or_404, list_coach_classes
from app.studios.console import coach_blueprint, moved_to_studio
from app.studios.policies import can_run_rosters, can_see_roster, coaches_anywhere
from app.studios.queries import find_studio_customer, studios_managed_by

# Rosters are run by their coaches and by the desk (check-in at the door).
bp = coach_blueprint("bookings_coach", __name__, require=can_run_rosters)
home = Blueprint("coach", __name__, url_prefix="/coach")
PAGE = "bookings/coach/roster.html"


def _class_or_404(class_id: int) -> ScheduledClass:
    """A class of the studio whose roster this user may run (else 404)."""
    cls = get_class_or_404(g.studio, class_id)
    if not can_see_roster(current_user, g.studio, cls):
        abort(404)
    return cls


def _roster(cls, *, status=200, message=None, level="success"):
    roster, now = list_roster(cls), utcnow()
    return render(PAGE, "roster", status=status, cls=cls, studio=cls.studio, roster=roster,
                  facts=roster_facts(cls, roster, now), now=now, message=message, level=level)


def _act(class_id: int, action):
    cls = _class_or_404(class_id)
    if not first_use(request_key(), current_user.id):  # a replay from the tablet's queue
        return _roster(cls)
    return perform(lambda: action(cls), lambda message: _roster(cls, message=message),
                   failed=lambda exc: _roster(cls, status=exc.status, message=str(exc),
                                              level="warn"))


def _booking(cls, booking_id: int):
    booking = get_booking_or_404(cls.studio, booking_id)
    if booking.class_id != cls.id:
        abort(404)
    return booking


@bp.get("/classes/<int:class_id>/")
def roster(class_id: int):
    return _roster(_class_or_404(class_id))


# One tap on a roster row: the service to call and what the coach is told afterwards.
ROW_ACTIONS = {
    "check-in": (attendance.check_in, lambda name: _("Checked in: %(name)s", name=name)),
    "undo": (attendance.undo_check_in,
             lambda name: _("Check-in taken back: %(name)s", name=name)),
    "no-show": (attendance.mark_no_show,
                lambda name: _("Marked as a no-show: %(name)s", name=name)),
}


def row_action(class_id: int, booking_id: int, verb: str):
    service, told = ROW_ACTIONS[verb]

    def action(cls):
        booking = service(cls.studio, _booking(cls, booking_id), actor=current_user)
        return told(booking.customer.name)
    return _act(class_id, action)


for _verb in ROW_ACTIONS:
    bp.add_url_rule(f"/classes/<int:class_id>/bookings/<int:booking_id>/{_verb}",
                    endpoint=_verb.replace("-", "_"), view_func=row_action, methods=["POST"],
                    defaults={"verb": _verb})


def _member_from(cls, value: str) -> User:
    """The member a scanned pass token or a typed six-digit code stands for."""
    value = value.strip()
    if value.isdigit() and len(value) == 6:
        for booking in list_roster(cls):
            if code_matches(booking.customer, value):
                return booking.customer
        raise NotBookedHere()
    user_id, pass_prefix = read_token(value)
    user = db.session.get(User, user_id)
    if user is None or not user.pass_key.startswith(pass_prefix):
        raise NotBookedHere()
    return user


@bp.post("/classes/<int:class_id>/scan")
def scan(class_id: int):
    def action(cls):
        member = _member_from(cls, request.form.get("code", "")[:400])
        attendance.check_in_member(cls.studio, cls, member, actor=current_user)
        return _("Checked in: %(name)s", name=member.name)
    return _act(class_id, action)


@bp.post("/classes/<int:class_id>/walk-in")
def walk_in(class_id: int):
    email = request.form.get("email", "").strip()[:254]

    def action(cls):
        member = find_studio_customer(cls.studio, email) if "@" in email else None
        if member is None:
            # Anyone else gets the same answer, account or not: an invitation, nothing booked.
            if "@" not in email:
                raise NotBookedHere(_("Type the member's email address."))
            attendance.invite_walk_in(cls.studio, cls, email, actor=current_user)
            return _("%(email)s is not a customer of this studio yet: we emailed an invitation "
                     "to book.", email=email)
        attendance.add_walk_in(cls.studio, cls, member, actor=current_user)
        return _("Walk-in added and checked in: %(name)s", name=member.name)
    return _act(class_id, action)


def _coach_zone(user) -> str:
    """The zone whose date names "today" in the day's navigation: the coach's own, else their
    first studio's."""
    studios = studios_managed_by(user)
    return user.timezone or (studios[0].timezone if studios else "UTC")


@home.get("/")
@login_required
def today():
    if not coaches_anywhere(current_user):  # like every console: not there for customers
        abort(404)
    now = utcnow()
    home_today = local(now, _coach_zone(current_user)).date()
    try:
        day = parse_day(request.args.get("day"), home_today)
    except ValueError:
        abort(400)
    # Each studio's day in its own zone: without ?day, each studio's own today (a coach in
    # Riyadh and Toronto sees both local days); with it, that date wherever the class is.
    if day is None:
        lo, hi = now - timedelta(hours=36), now + timedelta(hours=36)
    else:
        midnight = datetime.combine(day, time(), ZoneInfo("UTC"))
        lo, hi = midnight - timedelta(hours=15), midnight + timedelta(hours=39)

    def on_day(item) -> bool:
        return local(item.starts_at, item.timezone).date() == (
            day or local(now, item.timezone).date())

    classes = [c for c in list_coach_classes(current_user, lo, hi) if on_day(c)]
    sessions = [a for a in list_coach_appointments(current_user, lo, hi) if on_day(a)]
    shown = day or home_today
    return render_template("bookings/coach/today.html", classes=classes, sessions=sessions,
                           rosters={c.id: list_roster(c) for c in classes}, now=now,
                           day=shown, is_today=shown == home_today,
                           prev_day=shown - timedelta(days=1), next_day=shown + timedelta(days=1),
                           min_day=home_today - DAY_WINDOW, max_day=home_today + DAY_WINDOW)


@home.route("/classes/<int:class_id>/", defaults={"rest": ""}, methods=["GET", "POST"])
@home.route("/classes/<int:class_id>/<path:rest>", methods=["GET", "POST"])
@login_required
def moved_class(class_id: int, rest: str):
    """A roster URL from before the studio was in it (bookmarks, taps queued offline)."""
    cls = db.session.get(ScheduledClass, class_id)
    if cls is None or not can_see_roster(current_user, cls.studio, cls):
        abort(404)
    return moved_to_studio(cls.studio, f"classes/{class_id}/{rest}")
