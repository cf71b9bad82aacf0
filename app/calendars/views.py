"""A person's calendars: /me/calendar (the private feed's links, a coach's CalDAV calendar),
the feed itself for calendar apps (no sign-in: the secret in the URL is the key), and one
booking as an .ics file."""

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.calendars import ics
from app.calendars.forms import ConnectionForm
from app.calendars.policies import can_sync_calendar
from app.calendars.queries import (
    connection_of,
    feed_of,
    find_feed_or_404,
    one_booking_entry,
    person_entries,
)
from app.calendars.services import connections
from app.calendars.services.feeds import new_feed_secret
from app.core.db import utcnow
from app.core.lifecycle import done, perform
from app.core.urls import external_url

bp = Blueprint("calendars", __name__)

CALENDAR = "text/calendar"


def _links(feed) -> dict | None:
    if feed is None:
        return None
    https = external_url("calendars.feed", secret=feed.token)
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


def _page(form=None, status: int = 200):
    syncs = can_sync_calendar(current_user)
    return render_template(
        "calendars/calendar.html", links=_links(feed_of(current_user)), syncs=syncs,
        connection=connection_of(current_user) if syncs else None,
        form=form or ConnectionForm()), status


@bp.get("/me/calendar")
@login_required
def calendar():
    return _page()


@bp.post("/me/calendar/feed")
@login_required
def new_feed():
    had_one = feed_of(current_user) is not None
    return perform(lambda: new_feed_secret(current_user, actor=current_user),
                   lambda _feed: done(_("A new link is ready. The old one no longer works.")
                                      if had_one else _("Your calendar link is ready."),
                                      url_for("calendars.calendar")))


@bp.get("/feeds/<secret>.ics")
def feed(secret: str):
    """The feed for calendar apps. Its ETag is a hash of the body, which changes only when an
    event does (app/calendars/ics.py), so a poll of an unchanged calendar is a 304."""
    feed = find_feed_or_404(secret)
    body = ics.calendar_of(person_entries(feed.user, utcnow()), name="FitFlow")
    response = Response(body, mimetype=CALENDAR)
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Robots-Tag"] = "noindex"
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/me/bookings/<int:booking_id>.ics")
@login_required
def booking_ics(booking_id: int):
    """One of the person's bookings as an .ics file ("Add to calendar"); the same UID and
    SEQUENCE as in their feed, so both describe one event."""
    return _download(one_booking_entry(current_user, utcnow(), booking_id=booking_id),
                     f"booking-{booking_id}.ics")


@bp.get("/me/sessions/<int:appointment_id>.ics")
@login_required
def session_ics(appointment_id: int):
    """A 1:1 session the person takes, as an .ics file."""
    return _download(one_booking_entry(current_user, utcnow(), appointment_id=appointment_id),
                     f"session-{appointment_id}.ics")


def _download(entry, filename: str) -> Response:
    response = Response(ics.calendar_of([entry]), mimetype=CALENDAR)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.post("/me/calendar/caldav")
@login_required
def connect():
    if not can_sync_calendar(current_user):
        abort(404)
    form = ConnectionForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    return perform(lambda: connections.connect(current_user, url=form.url.data,
                                               username=form.username.data,
                                               password=form.password.data, actor=current_user),
                   lambda _c: done(_("Your calendar is connected. Your classes and sessions "
                                     "will appear in it shortly."),
                                   url_for("calendars.calendar")))


@bp.post("/me/calendar/caldav/sync")
@login_required
def sync_now():
    connection = connection_of(current_user)
    if connection is None:
        abort(404)
    return perform(lambda: connections.request_sync(connection),
                   lambda _c: done(_("Your calendar will be brought up to date shortly."),
                                   url_for("calendars.calendar")))


@bp.post("/me/calendar/caldav/delete")
@login_required
def disconnect():
    connection = connection_of(current_user)
    if connection is None:
        abort(404)
    return perform(lambda: connections.disconnect(connection, actor=current_user),
                   lambda _c: done(_("Your calendar is disconnected."),
                                   url_for("calendars.calendar")))
