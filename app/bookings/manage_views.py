"""Studio console for bookings: the console's home (the coming week with how full each class
is), a class's roster, cancelling the class (everyone booked is
told and keeps their credit), and giving a late canceller their credit back."""

from flask import abort, g, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.bookings import entitlements, services
from app.bookings.queries import class_states, get_booking_or_404, list_late_cancels, list_roster
from app.core.db import utcnow
from app.core.lifecycle import done, perform
from app.schedule.queries import (
    ScheduleFilters,
    get_class_or_404,
    list_classes,
    local_today,
)
from app.studios.checklist import checklist
from app.studios.console import console_blueprint

bp = console_blueprint("bookings_manage", __name__)


@bp.get("/")
def dashboard():
    """The coming seven days: every class with how full it is."""
    tz = g.studio.timezone
    classes = list_classes(g.studio, local_today(tz), 7, ScheduleFilters(), tz)
    return render_template("bookings/manage/dashboard.html", studio=g.studio, tz=tz,
                           classes=classes, steps=checklist(g.studio),
                           states=class_states(g.studio, classes, None, utcnow()))


@bp.get("/classes/<int:class_id>")
def roster(class_id: int):
    cls = get_class_or_404(g.studio, class_id)
    late = list_late_cancels(cls)
    return render_template("bookings/manage/roster.html", studio=g.studio, cls=cls,
                           roster=list_roster(cls), late_cancels=late,
                           credits_kept=entitlements.provider().credits_kept([b.id for b in late]))


@bp.post("/classes/<int:class_id>/bookings/<int:booking_id>/waive")
def waive_late_cancel(class_id: int, booking_id: int):
    """Give a late-cancelled customer their credit back (audited; a second time does nothing)."""
    cls = get_class_or_404(g.studio, class_id)
    booking = get_booking_or_404(g.studio, booking_id)
    if booking.class_id != cls.id:
        abort(404)
    back = url_for(".roster", class_id=cls.id, _anchor="late-cancels")
    return perform(
        lambda: entitlements.provider().waive_late_cancel(g.studio, booking, actor=current_user),
        lambda given: done(_("The credit is back on the customer's pass.") if given else
                           _("There is no credit to give back for this booking."), back,
                           "success" if given else "info"))


@bp.post("/classes/<int:class_id>/cancel")
def cancel_class(class_id: int):
    cls = get_class_or_404(g.studio, class_id)
    back = url_for(".roster", class_id=class_id)
    return perform(lambda: services.cancel_class(g.studio, cls, actor=current_user),
                   lambda cancelled: done(_("The class is cancelled and everyone booked "
                                            "has been told."), back), back=back)
