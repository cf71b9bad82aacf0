"""Studio console: a studio's settings (its profile, logo and booking settings) and its places
(locations and their rooms). The list of studios a person runs (/manage/) is app/reports'
overview."""

from flask import g, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.forms import zone_choices
from app.core.db import get_in_studio_or_404
from app.core.i18n import current_language
from app.core.lifecycle import done, perform
from app.studios.console import console_blueprint
from app.studios.forms import (
    BookingPolicyForm,
    LocationForm,
    LogoForm,
    RoomForm,
    StudioProfileForm,
    new_location_form,
)
from app.studios.models import Location, Room
from app.studios.policies import can_manage_studio
from app.studios.services import places, profile, update_booking_policy

bp = console_blueprint("studios_manage", __name__, require=can_manage_studio)


def _settings_page(status: int = 200, **forms):
    forms.setdefault("form", BookingPolicyForm(formdata=None, obj=g.studio))
    forms.setdefault("profile_form", StudioProfileForm.of(g.studio))
    forms.setdefault("logo_form", LogoForm(formdata=None))
    return render_template("studios/manage/settings.html", studio=g.studio, **forms), status


@bp.get("/settings")
def settings_form():
    return _settings_page()


@bp.post("/settings")
def update_settings():
    form = BookingPolicyForm()
    if not form.validate_on_submit():
        return _settings_page(form=form, status=422)
    settings = {k: v for k, v in form.data.items() if k != "csrf_token"}
    return perform(lambda: update_booking_policy(g.studio, actor=current_user, **settings),
                   lambda _saved: done(_("Booking settings saved."), url_for(".settings_form")))


@bp.post("/settings/profile")
def update_profile():
    form = StudioProfileForm()
    if not form.validate_on_submit():
        return _settings_page(profile_form=form, status=422)
    return perform(lambda: profile.update_profile(g.studio, actor=current_user, **form.fields()),
                   lambda _saved: done(_("Studio profile saved."), url_for(".settings_form")))


@bp.post("/settings/logo")
def upload_logo():
    form = LogoForm()
    if not form.validate_on_submit():
        return _settings_page(logo_form=form, status=422)
    data, kind = form.image
    return perform(lambda: profile.set_logo(g.studio, actor=current_user, data=data,
                                            content_type=kind),
                   lambda _saved: done(_("Logo saved."), url_for(".settings_form")))


@bp.post("/settings/logo/remove")
def remove_logo():
    return perform(lambda: profile.set_logo(g.studio, actor=current_user, data=None),
                   lambda _saved: done(_("Logo removed."), url_for(".settings_form")))


def _locations_page(form=None, status: int = 200):
    return render_template("studios/manage/locations.html", studio=g.studio,
                           form=form or new_location_form(g.studio),
                           zones=zone_choices(current_language())), status


@bp.get("/locations")
def locations():
    return _locations_page()


@bp.post("/locations")
def add_location():
    form = LocationForm()
    if not form.validate_on_submit():
        return _locations_page(form, 422)
    return perform(lambda: places.open_location(g.studio, actor=current_user, **form.fields()),
                   lambda loc: done(_("Location added. Add its rooms next."),
                                    url_for(".location", location_id=loc.id)))


def _location_page(location, form=None, room_form=None, status: int = 200, edited=None):
    """A location's page: its form, a form per room (`edited`: one that came back refused),
    and the form for a new room."""
    rooms = [(room, edited if edited is not None and edited.room_id == room.id
              else RoomForm.of(room)) for room in location.rooms]
    return render_template("studios/manage/location.html", studio=g.studio, location=location,
                           form=form or LocationForm.of(location), rooms=rooms,
                           room_form=room_form or RoomForm(formdata=None),
                           zones=zone_choices(current_language())), status


@bp.get("/locations/<int:location_id>")
def location(location_id: int):
    return _location_page(get_in_studio_or_404(Location, g.studio, location_id))


@bp.post("/locations/<int:location_id>")
def update_location(location_id: int):
    location = get_in_studio_or_404(Location, g.studio, location_id)
    form = LocationForm()
    if not form.validate_on_submit():
        return _location_page(location, form=form, status=422)
    return perform(lambda: places.update_location(g.studio, location, actor=current_user,
                                                  **form.fields()),
                   lambda _saved: done(_("Location saved."),
                                       url_for(".location", location_id=location.id)))


@bp.post("/locations/<int:location_id>/archive")
def archive_location(location_id: int):
    location = get_in_studio_or_404(Location, g.studio, location_id)
    return perform(lambda: places.archive_location(g.studio, location, actor=current_user),
                   lambda _saved: done(_("Location archived."), url_for(".locations")),
                   back=url_for(".location", location_id=location.id))


@bp.post("/locations/<int:location_id>/restore")
def restore_location(location_id: int):
    location = get_in_studio_or_404(Location, g.studio, location_id)
    return perform(lambda: places.restore_location(g.studio, location, actor=current_user),
                   lambda _saved: done(_("Location restored."), url_for(".locations")))


@bp.post("/locations/<int:location_id>/rooms")
def add_room(location_id: int):
    location = get_in_studio_or_404(Location, g.studio, location_id)
    form = RoomForm()
    if not form.validate_on_submit():
        return _location_page(location, room_form=form, status=422)
    return perform(lambda: places.add_room(g.studio, location, actor=current_user,
                                           **form.fields()),
                   lambda _room: done(_("Room added."),
                                      url_for(".location", location_id=location.id)))


@bp.post("/rooms/<int:room_id>")
def update_room(room_id: int):
    room = get_in_studio_or_404(Room, g.studio, room_id)
    form = RoomForm(prefix=f"room-{room.id}")
    form.room_id = room.id
    if not form.validate_on_submit():
        return _location_page(room.location, status=422, edited=form)
    return perform(lambda: places.update_room(g.studio, room, actor=current_user,
                                              **form.fields()),
                   lambda _room: done(_("Room saved."),
                                      url_for(".location", location_id=room.location_id)))


@bp.post("/rooms/<int:room_id>/archive")
def archive_room(room_id: int):
    room = get_in_studio_or_404(Room, g.studio, room_id)
    return perform(lambda: places.archive_room(g.studio, room, actor=current_user),
                   lambda _room: done(_("Room archived."),
                                      url_for(".location", location_id=room.location_id)))
